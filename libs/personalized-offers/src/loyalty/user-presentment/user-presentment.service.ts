import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ResolvedPersonalizedOffersOptions } from '../../config/resolve-options.js';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { PersonalizedOffersNotFoundError } from '../../errors/personalized-offers-not-found.error.js';
import {
  type ActivationStatus,
  type EnsureActivatedOptions,
  type EnsureActivatedResult,
  ensureActivated,
  statusFromAssignments,
} from '../../operations/activation-resolution.js';
import { type CredentialSource, callerCredential } from '../../operations/credential.js';
import type { Operation } from '../../operations/operation.js';
import { OperationExecutor } from '../../operations/operation-executor.js';
import { LOGGER_CONTEXT, PERSONALIZED_OFFERS_RESOLVED_OPTIONS } from '../../personalized-offers.constants.js';
import { AccessTokenService } from '../access-tokens/access-token.service.js';
import type {
  Activations,
  Adjustment,
  GeoLocation,
  GeoLocations,
  OfferDetails,
  OfferRating,
  UserAdjustments,
  UserOffer,
  UserOfferRating,
  UserOfferRatings,
  UserOffers,
  UserPresentmentSavings,
} from '../models/index.js';
import { offsetPages } from '../offset-pages.js';
import { type ImpressionsReceipt, userPresentmentOperations } from './user-presentment.operations.js';
import type {
  AdjustmentsParams,
  GeoLocationsParams,
  GetOffersParams,
  Impression,
  LanguageOption,
  OfferFilter,
  OfferRatingsParams,
  PresentmentUser,
} from './user-presentment.params.js';

/** Only a 401 means the access token was refused (a 403 may be about the offer). */
const ACCESS_TOKEN_REFUSED: readonly number[] = [401];

/** Page size of `getActivationStatus`'s scan of getOffers (the largest `limit` the simulator serves). */
const STATUS_PAGE_SIZE = 100;
/** Most pages that scan reads (10 000 offers) before giving up without an answer. */
const STATUS_MAX_PAGES = 100;

/** Options of the paging iterators. */
export interface OffsetIterationOptions {
  /** Hard cap on pages fetched; the iterator stops there with a warning. @default 100 */
  maxPages?: number;
}

/**
 * The current API's user presentment (`/loyalty/offers/user-presentment/*`) and impressions:
 * one method per operation, named by its v1.5 `operationId`. `user` is a user id (the access
 * token comes from `AccessTokenService`'s cache; on a 401 it is dropped, minted again and the
 * call repeated once) or `{ accessToken }` you hold (never replaced). Results are the validated
 * response models, camelCase as on the wire.
 */
@Injectable()
export class UserPresentmentService {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private readonly ops: ReturnType<typeof userPresentmentOperations>;

  /**
   * Called by Nest with the module's internal collaborators: applications never construct this
   * provider themselves, they inject it (`@InjectPersonalizedOffers` for a named registration).
   *
   * @internal
   */
  constructor(
    @Inject(PERSONALIZED_OFFERS_RESOLVED_OPTIONS) options: ResolvedPersonalizedOffersOptions,
    private readonly executor: OperationExecutor,
    private readonly accessTokens: AccessTokenService,
  ) {
    this.ops = userPresentmentOperations(options.language);
  }

  /** GET `.../offers`: one page of the user's offers. */
  getOffers(user: PresentmentUser, params: GetOffersParams = {}): Promise<UserOffers> {
    return this.run(this.ops.getOffers, user, params);
  }

  /** Every offer of `getOffers` across pages. */
  iterateOffers(user: PresentmentUser, params: GetOffersParams = {}, options?: OffsetIterationOptions): AsyncGenerator<UserOffer> {
    return offsetPages(
      params,
      options?.maxPages,
      (p) => this.getOffers(user, p),
      (r) => r.offers,
      this.logger,
      'getOffers',
    );
  }

  /** GET `.../offers/{offer_id}`: one offer in detail. */
  getOffer(user: PresentmentUser, offerId: string, options: LanguageOption = {}): Promise<OfferDetails> {
    return this.run(this.ops.getOffer, user, { ...options, offerId });
  }

  /** POST `.../offers/filters`: one page of the offers matching `filter`. */
  searchOffers(user: PresentmentUser, filter: OfferFilter, options: LanguageOption = {}): Promise<UserOffers> {
    return this.run(this.ops.searchOffers, user, { ...options, filter });
  }

  /** Every offer of `searchOffers` across pages. */
  iterateSearchOffers(user: PresentmentUser, filter: OfferFilter, options: LanguageOption & OffsetIterationOptions = {}): AsyncGenerator<UserOffer> {
    const { maxPages, ...language } = options;
    return offsetPages(
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers may pass no filter: every offer
      filter ?? {},
      maxPages,
      (f) => this.searchOffers(user, f, language),
      (r) => r.offers,
      this.logger,
      'searchOffers',
    );
  }

  /**
   * POST `.../activations`: activates an offer (Mastercard queues it: `status` `QUEUED`). Not
   * idempotent: never repeated once it may have reached Mastercard (that failure is a
   * `PersonalizedOffersOutcomeUnknownError`: re-read `assignments[].active`); an offer already
   * active is a `PersonalizedOffersApiError` with status 400.
   */
  processActivations(user: PresentmentUser, params: { offerId: string }): Promise<Activations> {
    return this.run(this.ops.processActivations, user, params);
  }

  /**
   * The offer's activation state, read from the API: GET `.../offers` (getOffers) with no
   * filter, 100 at a time, until the offer shows; its `assignments[].active` (or `status`
   * `ACTIVATED`) says active, an assignment `status` `QUEUED`/`PENDING` says pending. getOffer
   * cannot tell (its `userOfferDetails` has no `assignments`), and an `active: true` filter
   * cannot show a pending one nor tell "not active" from "not listed"; the unfiltered list does
   * not change with activation, so offset paging cannot skip the offer. An offer not in the list
   * (or not within 100 pages) is a `PersonalizedOffersNotFoundError`, never "not active".
   * `activationId` is never set: assignments carry no activation id.
   */
  async getActivationStatus(user: PresentmentUser, offerId: string): Promise<ActivationStatus> {
    if (typeof offerId !== 'string' || offerId.length === 0) throw new InvalidArgumentError('offerId', 'must be a non-empty string');
    let offset = 0;
    for (let page = 1; page <= STATUS_MAX_PAGES; page++) {
      const result = await this.getOffers(user, { offset, limit: STATUS_PAGE_SIZE });
      const list = result.offers ?? [];
      const offer = list.find((o) => o.id === offerId);
      if (offer) return statusFromAssignments(offerId, offer.assignments);
      offset += list.length;
      if (list.length === 0 || (result.total !== undefined ? offset >= result.total : list.length < STATUS_PAGE_SIZE)) {
        throw new PersonalizedOffersNotFoundError('offer', "getActivationStatus: the offer is not among the user's offers.");
      }
    }
    throw new PersonalizedOffersNotFoundError(
      'offer',
      `getActivationStatus: the offer is not among the first ${STATUS_MAX_PAGES * STATUS_PAGE_SIZE} of the user's offers.`,
    );
  }

  /**
   * Activates the offer so that it ends up active exactly once, and answers `activated: true`:
   * - HTTP 400 `Offer is already ACTIVATED` is success with `alreadyActive: true`;
   * - a `PersonalizedOffersOutcomeUnknownError` (timeout, reset, 5xx, unreadable answer) is
   *   settled with `getActivationStatus`: active → success; pending (`QUEUED`) → polled up to
   *   `pendingTimeoutMs`; not active on two reads in a row → sent again (at most `maxSends` in
   *   all); still unsettled → `PersonalizedOffersOutcomeStillUnknownError` (not sent again).
   * A `QUEUED` answer to the activation itself is success: Mastercard accepted it (watch it with
   * `getActivationStatus`). Any other error is thrown as it is.
   */
  ensureActivated(user: PresentmentUser, offerId: string, options?: EnsureActivatedOptions): Promise<EnsureActivatedResult> {
    return ensureActivated(
      {
        operation: 'processActivations',
        activate: async () => {
          const result = await this.processActivations(user, { offerId });
          const activationId = result.activations?.find((a) => a.offerId === undefined || a.offerId === offerId)?.id;
          return activationId !== undefined ? { activationId } : {};
        },
        status: () => this.getActivationStatus(user, offerId),
        confirmAlreadyActive: false,
      },
      options,
      this.logger,
    );
  }

  /** GET `.../offer-ratings`: one page of the user's ratings. */
  getOfferRatings(user: PresentmentUser, params: OfferRatingsParams = {}): Promise<UserOfferRatings> {
    return this.run(this.ops.getOfferRatings, user, params);
  }

  /** Every rating across pages. */
  iterateOfferRatings(user: PresentmentUser, params: OfferRatingsParams = {}, options?: OffsetIterationOptions): AsyncGenerator<OfferRating> {
    return offsetPages(
      params,
      options?.maxPages,
      (p) => this.getOfferRatings(user, p),
      (r) => r.offerRatings,
      this.logger,
      'getOfferRatings',
    );
  }

  /** GET `.../offer-ratings/{offer_id}`. */
  getOfferRating(user: PresentmentUser, offerId: string): Promise<UserOfferRating> {
    return this.run(this.ops.getOfferRating, user, { offerId });
  }

  /** POST `.../offer-ratings/{offer_id}/likes`: like (1) or dislike (0); last write wins. */
  createOfferRating(user: PresentmentUser, offerId: string, params: { like: 0 | 1 }): Promise<UserOfferRating> {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers may pass no params: the operation's check then names `like`
    return this.run(this.ops.createOfferRating, user, { offerId, like: params?.like });
  }

  /** GET `.../savings`. */
  getUserPresentmentSavings(user: PresentmentUser): Promise<UserPresentmentSavings> {
    return this.run(this.ops.getUserPresentmentSavings, user, undefined);
  }

  /** GET `.../adjustments`: one page of the user's adjustments (statement credits, points). */
  getUserPresentmentAdjustments(user: PresentmentUser, params: AdjustmentsParams = {}): Promise<UserAdjustments> {
    return this.run(this.ops.getUserPresentmentAdjustments, user, params);
  }

  /** Every adjustment across pages. */
  iterateUserPresentmentAdjustments(user: PresentmentUser, params: AdjustmentsParams = {}, options?: OffsetIterationOptions): AsyncGenerator<Adjustment> {
    return offsetPages(
      params,
      options?.maxPages,
      (p) => this.getUserPresentmentAdjustments(user, p),
      (r) => r.adjustments,
      this.logger,
      'getUserPresentmentAdjustments',
    );
  }

  /** GET `.../geo-locations`: places matching `keywords` (for `searchOffers`' latitude/longitude). */
  findGeoLocations(user: PresentmentUser, params: GeoLocationsParams): Promise<GeoLocations> {
    return this.run(this.ops.findGeoLocations, user, params);
  }

  /** Every place across pages. */
  iterateGeoLocations(user: PresentmentUser, params: GeoLocationsParams, options?: OffsetIterationOptions): AsyncGenerator<GeoLocation> {
    return offsetPages(
      params,
      options?.maxPages,
      (p) => this.findGeoLocations(user, p),
      (r) => r.items,
      this.logger,
      'findGeoLocations',
    );
  }

  /**
   * POST `/loyalty/offers/impressions`: what the user saw and did. Not idempotent (a replay
   * counts twice): never repeated once it may have arrived.
   */
  publishImpressions(user: PresentmentUser, impressions: readonly Impression[]): Promise<ImpressionsReceipt> {
    return this.run(this.ops.publishImpressions, user, { impressions });
  }

  private run<P, B extends object, R>(operation: Operation<P, B, R>, user: PresentmentUser, params: P): Promise<R> {
    try {
      return this.executor.execute(operation, params, callerCredential(user, 'accessToken', this.byId));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** A user id: the cached access token, renewed once on a 401. */
  private readonly byId = (userId: string): CredentialSource => ({
    get: () => this.accessTokens.getAccessToken(userId),
    renew: () => this.accessTokens.getAccessToken(userId, { refresh: true }),
    renewOn: ACCESS_TOKEN_REFUSED,
    userId,
  });
}
