import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ResolvedPersonalizedOffersOptions } from '../config/resolve-options.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { PersonalizedOffersNotFoundError } from '../errors/personalized-offers-not-found.error.js';
import {
  type ActivationStatus,
  type EnsureActivatedOptions,
  type EnsureActivatedResult,
  ensureActivated,
  statusFromMatchedOffer,
} from '../operations/activation-resolution.js';
import { type CredentialSource, callerCredential } from '../operations/credential.js';
import type { Operation } from '../operations/operation.js';
import { OperationExecutor } from '../operations/operation-executor.js';
import { LOGGER_CONTEXT, PERSONALIZED_OFFERS_RESOLVED_OPTIONS } from '../personalized-offers.constants.js';
import { UserTokenService } from '../user-token/user-token.service.js';
import {
  activateStatementCreditOfferOperation,
  activateStatementCreditOfferV1Operation,
  getOfferDetailsOperation,
  getRedeemedOfferDetailsOperation,
  getStatementCreditActivationDetailOperation,
  getUserFeedbackOperation,
  getUserSavingsOperation,
  matchedOffersOperation,
  sendUserFeedbackOperation,
  sendUserFeedbackV1Operation,
} from './legacy-user-presentment.operations.js';
import type {
  ActivateOfferParams,
  ActivationDetailParams,
  LegacyUser,
  MatchedOffersParams,
  OfferDetailsParams,
  RedeemedOffersParams,
  SendFeedbackParams,
  UserFeedbackFilter,
} from './legacy-user-presentment.params.js';
import type {
  MatchedOffer,
  MatchedOffersResult,
  OfferDetailsResult,
  RedeemedOffer,
  RedeemedOffersResult,
  StatementCreditActivationResult,
  UserFeedbackListResult,
  UserFeedbackResult,
  UserSavingsResult,
} from './models/index.js';

/** Most pages an iterator fetches unless told otherwise: a guard against a server that never ends. */
export const DEFAULT_MAX_PAGES = 100;

/** Items per page of `getActivationStatus`'s scan of matchedoffers (the largest page the simulator serves). */
const STATUS_PAGE_SIZE = 100;

/** `ensureActivated` on the legacy API: the resolution bounds, and the activation's own `lang` and `presentmentDate`. */
export interface LegacyEnsureActivatedOptions extends EnsureActivatedOptions, Omit<ActivateOfferParams, 'offerId'> {}

/** Options of the paging iterators. */
export interface PageIterationOptions {
  /** Hard cap on pages fetched; the iterator stops there with a warning. @default 100 */
  maxPages?: number;
}

/**
 * The legacy user-presentment API (`/plo/v1`, `/plo/v2`): one method per operation, named by
 * its v1.5 `operationId`. `user` is a user id (the user token comes from `UserTokenService`'s
 * cache and is renewed once when refused) or `{ userToken }` you hold (never replaced). Results
 * are the validated `Response` payloads; a non-`600` status is a `PersonalizedOffersApiError`.
 */
@Injectable()
export class LegacyUserPresentmentService {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private readonly writesV1: boolean;

  /**
   * Called by Nest with the module's internal collaborators: applications never construct this
   * provider themselves, they inject it (`@InjectPersonalizedOffers` for a named registration).
   *
   * @internal
   */
  constructor(
    @Inject(PERSONALIZED_OFFERS_RESOLVED_OPTIONS) options: ResolvedPersonalizedOffersOptions,
    private readonly executor: OperationExecutor,
    private readonly userTokens: UserTokenService,
  ) {
    this.writesV1 = options.legacyWrites === 'v1';
  }

  /** GET `/plo/v1/matchedoffers`: one page of the user's matched offers. */
  matchedOffers(user: LegacyUser, params: MatchedOffersParams = {}): Promise<MatchedOffersResult> {
    return this.run(matchedOffersOperation, user, params);
  }

  /** Every matched offer across pages, from `params.pageNumber` (default 1) to `NumberOfPages`. */
  iterateMatchedOffers(user: LegacyUser, params: MatchedOffersParams = {}, options?: PageIterationOptions): AsyncGenerator<MatchedOffer> {
    return this.pages(
      params,
      options,
      (p) => this.matchedOffers(user, p),
      (r) => r.Items?.MatchedOffer ?? [],
      'matchedOffers',
    );
  }

  /** GET `/plo/v1/offerdetails`: one offer in detail. */
  getOfferDetails(user: LegacyUser, params: OfferDetailsParams): Promise<OfferDetailsResult> {
    return this.run(getOfferDetailsOperation, user, params);
  }

  /** GET `/plo/v1/redeemedoffers`: one page of the user's redeemed offers. */
  getRedeemedOfferDetails(user: LegacyUser, params: RedeemedOffersParams = {}): Promise<RedeemedOffersResult> {
    return this.run(getRedeemedOfferDetailsOperation, user, params);
  }

  /** Every redeemed offer across pages. */
  iterateRedeemedOffers(user: LegacyUser, params: RedeemedOffersParams = {}, options?: PageIterationOptions): AsyncGenerator<RedeemedOffer> {
    return this.pages(
      params,
      options,
      (p) => this.getRedeemedOfferDetails(user, p),
      (r) => r.Items?.RedeemedOffer ?? [],
      'getRedeemedOfferDetails',
    );
  }

  /** GET `/plo/v1/statementcreditactivationdetail`: one activation. */
  getStatementCreditActivationDetail(user: LegacyUser, params: ActivationDetailParams): Promise<StatementCreditActivationResult> {
    return this.run(getStatementCreditActivationDetailOperation, user, params);
  }

  /** GET `/plo/v1/usersavings`. */
  getUserSavings(user: LegacyUser): Promise<UserSavingsResult> {
    return this.run(getUserSavingsOperation, user, undefined);
  }

  /** GET `/plo/v1/userfeedback`: the user's likes and dislikes. */
  getUserFeedback(user: LegacyUser, params: UserFeedbackFilter = {}): Promise<UserFeedbackListResult> {
    return this.run(getUserFeedbackOperation, user, params);
  }

  /**
   * POST `/plo/v2/activatestatementcreditoffer` (or the v1.3 form with `legacyWrites: 'v1'`).
   * Not idempotent: never repeated once it may have reached Mastercard; such a failure is a
   * `PersonalizedOffersOutcomeUnknownError` (re-read the offer's `ActiveSc`). An offer that is
   * already active is a `PersonalizedOffersApiError` with `apiStatus` (HTTP 200, non-600).
   */
  activateStatementCreditOffer(user: LegacyUser, params: ActivateOfferParams): Promise<StatementCreditActivationResult> {
    return this.run(this.writesV1 ? activateStatementCreditOfferV1Operation : activateStatementCreditOfferOperation, user, params);
  }

  /**
   * The offer's activation state, read from the API: GET matchedoffers (the only legacy read
   * carrying `ActiveSc` and `ScActivation`; offerdetails has neither), paged 100 at a time until
   * the offer shows, then, if it did not, the disliked offers (`UserFeedback=0`), which the plain
   * list suppresses. Activation does not change which offers the list holds, so paging cannot
   * skip it. An offer in neither list is a `PersonalizedOffersNotFoundError` (never "not active").
   */
  async getActivationStatus(user: LegacyUser, offerId: string): Promise<ActivationStatus> {
    if (typeof offerId !== 'string' || offerId.length === 0) throw new InvalidArgumentError('offerId', 'must be a non-empty string');
    for (const filter of [{}, { userFeedback: 0 as const }]) {
      for (let page = 1; page <= DEFAULT_MAX_PAGES; page++) {
        const result = await this.matchedOffers(user, { ...filter, pageNumber: page, itemsPerPage: STATUS_PAGE_SIZE });
        const list = result.Items?.MatchedOffer ?? [];
        const offer = list.find((o) => o.OfferId === offerId);
        if (offer) return statusFromMatchedOffer(offerId, offer);
        if (list.length === 0 || result.NumberOfPages === undefined || page >= result.NumberOfPages) break;
        if (page === DEFAULT_MAX_PAGES)
          throw new PersonalizedOffersNotFoundError(
            'offer',
            `getActivationStatus: the offer is not among the first ${DEFAULT_MAX_PAGES} pages of matched offers.`,
          );
      }
    }
    throw new PersonalizedOffersNotFoundError('offer', "getActivationStatus: the offer is not among the user's matched offers (liked, disliked or neither).");
  }

  /**
   * Activates the offer so that it ends up active exactly once, and answers `activated: true`:
   * - an "already active" answer (HTTP 200, non-600 status, confirmed by a read of `ActiveSc`) is
   *   success with `alreadyActive: true`;
   * - a `PersonalizedOffersOutcomeUnknownError` (timeout, reset, 5xx, unreadable answer) is
   *   settled with `getActivationStatus`: active → success; not active on two reads in a row →
   *   sent again (at most `maxSends` in all); still unsettled after `maxReads` reads →
   *   `PersonalizedOffersOutcomeStillUnknownError` (not sent again).
   * Any other error is thrown as it is.
   */
  ensureActivated(user: LegacyUser, offerId: string, options: LegacyEnsureActivatedOptions = {}): Promise<EnsureActivatedResult> {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers may pass null for the options (the default only covers undefined)
    const { maxReads, readBackoffMs, pendingTimeoutMs, maxSends, ...activation } = options ?? {};
    return ensureActivated(
      {
        operation: 'activateStatementCreditOffer',
        activate: async () => {
          const result = await this.activateStatementCreditOffer(user, { ...activation, offerId });
          const activationId = result.ScActivation?.ActivationId;
          return activationId !== undefined ? { activationId } : {};
        },
        status: () => this.getActivationStatus(user, offerId),
        confirmAlreadyActive: true,
      },
      { maxReads, readBackoffMs, pendingTimeoutMs, maxSends },
      this.logger,
    );
  }

  /** POST `/plo/v2/userfeedback` (or the v1.3 form): like (1) or dislike (0) an offer; last write wins. */
  sendUserFeedback(user: LegacyUser, params: SendFeedbackParams): Promise<UserFeedbackResult> {
    return this.run(this.writesV1 ? sendUserFeedbackV1Operation : sendUserFeedbackOperation, user, params);
  }

  private run<P, B extends object, R>(operation: Operation<P, B, R>, user: LegacyUser, params: P): Promise<R> {
    try {
      return this.executor.execute(operation, params, callerCredential(user, 'userToken', this.byId));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** A user id: the cached user token, renewed once when refused (401/403). */
  private readonly byId = (userId: string): CredentialSource => ({
    get: () => this.userTokens.getUserToken(userId),
    renew: () => this.userTokens.getUserToken(userId, { refresh: true }),
    userId,
  });

  private async *pages<P extends { pageNumber?: number }, R extends { NumberOfPages?: number }, T>(
    params: P,
    options: PageIterationOptions | undefined,
    fetch: (params: P) => Promise<R>,
    items: (result: R) => T[],
    operation: string,
  ): AsyncGenerator<T> {
    const maxPages = options?.maxPages ?? DEFAULT_MAX_PAGES;
    if (!Number.isInteger(maxPages) || maxPages < 1) throw new InvalidArgumentError('maxPages', 'must be a whole number from 1');
    let page = params.pageNumber ?? 1;
    for (let fetched = 0; ; fetched++) {
      if (fetched === maxPages) {
        this.logger.warn(`${operation}: stopped after ${maxPages} pages (maxPages); more pages remain.`);
        return;
      }
      const result = await fetch({ ...params, pageNumber: page });
      const list = items(result);
      yield* list;
      if (list.length === 0 || result.NumberOfPages === undefined || page >= result.NumberOfPages) return;
      page += 1;
    }
  }
}
