import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import {
  InjectFId,
  InjectTokenStore,
  LegacyUserPresentmentService,
  isAlreadyActivatedError,
  type MatchedOffersResult,
  type OfferDetailsResult,
  type PersonalizedOffersError,
  type StatementCreditActivationResult,
  type TokenStore,
  UserTokenService,
} from 'nestjs-personalized-offers';
import { OffersRpcExceptionFilter, rpcError } from './offers-rpc-exception.filter.js';
import { type MatchedOffersRequest, OFFERS_PATTERNS, type OfferRequest, type UserRequest, type UserTokenStatus } from './offers-rpc.contract.js';

/**
 * The offers service over TCP: the same module calls as the HTTP example's controllers, one
 * `@MessagePattern` each. Failures come back as `OffersRpcError` (see the filter); the user token
 * never leaves the service.
 */
@Controller()
@UseFilters(OffersRpcExceptionFilter)
export class OffersMicroserviceController {
  constructor(
    private readonly offers: LegacyUserPresentmentService,
    private readonly userTokens: UserTokenService,
    @InjectTokenStore() private readonly tokenStore: TokenStore | null,
    @InjectFId() private readonly fId: string,
  ) {}

  @MessagePattern(OFFERS_PATTERNS.matched)
  matched(@Payload() data: MatchedOffersRequest): Promise<MatchedOffersResult> {
    const userId = requireUserId(data);
    return this.offers.matchedOffers(userId, {
      pageNumber: data.pageNumber,
      itemsPerPage: data.itemsPerPage,
      category: data.category,
      offerType: data.offerType,
      merchantName: data.merchantName,
      lang: data.lang,
    });
  }

  @MessagePattern(OFFERS_PATTERNS.details)
  details(@Payload() data: OfferRequest): Promise<OfferDetailsResult> {
    const userId = requireUserId(data);
    return this.offers.getOfferDetails(userId, { offerId: requireOfferId(data), ...(data.lang !== undefined ? { lang: data.lang } : {}) });
  }

  @MessagePattern(OFFERS_PATTERNS.activate)
  async activate(@Payload() data: OfferRequest): Promise<StatementCreditActivationResult> {
    const userId = requireUserId(data);
    const offerId = requireOfferId(data);
    try {
      return await this.offers.activateStatementCreditOffer(userId, { offerId, ...(data.lang !== undefined ? { lang: data.lang } : {}) });
    } catch (error) {
      // HTTP 200 with a non-600 "Bad Request": Mastercard's answer for an offer that is already active.
      if (isAlreadyActivatedError(error)) {
        throw new RpcException({ ...rpcError('OFFER_NOT_ACTIVATABLE', 409), operation: (error as PersonalizedOffersError).operation });
      }
      throw error;
    }
  }

  /** Gets (or finds in the shared cache) the user's session token, and says which; the token stays here. */
  @MessagePattern(OFFERS_PATTERNS.userToken)
  async userToken(@Payload() data: UserRequest): Promise<UserTokenStatus> {
    const userId = requireUserId(data);
    const cached = await this.inCache(userId);
    await this.userTokens.getUserToken(userId);
    return { userId, ready: true, cached, sharedCache: this.tokenStore?.shared === true };
  }

  /** Whether the token store already holds the user's token (user tokens are keyed `fId:userId`). A store error counts as no. */
  private async inCache(userId: string): Promise<boolean> {
    if (!this.tokenStore) return false;
    try {
      return (await this.tokenStore.get(`${this.fId}:${userId}`)) !== undefined;
    } catch {
      return false;
    }
  }
}

/**
 * The user id of a request. Only a string is accepted: the module would take an object as a user
 * token the caller holds, which is not this service's contract. Its content is the module's to check.
 */
function requireUserId(data: unknown): string {
  const userId = (data as Partial<UserRequest> | null)?.userId;
  if (typeof userId !== 'string') throw new RpcException(rpcError('INVALID_REQUEST', 400, 'The request needs a string userId.'));
  return userId;
}

function requireOfferId(data: unknown): string {
  const offerId = (data as Partial<OfferRequest> | null)?.offerId;
  if (typeof offerId !== 'string') throw new RpcException(rpcError('INVALID_REQUEST', 400, 'The request needs a string offerId.'));
  return offerId;
}
