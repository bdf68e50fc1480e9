import { Injectable, Logger } from '@nestjs/common';
import { OperationExecutor } from '../../operations/operation-executor.js';
import { LOGGER_CONTEXT } from '../../personalized-offers.constants.js';
import type { Adjustment, AdminAdjustments, BrowseOffers, OfferInfo } from '../models/index.js';
import { offsetPages } from '../offset-pages.js';
import type { OffsetIterationOptions } from '../user-presentment/user-presentment.service.js';
import { browseOffersOperation, getAdjustmentsOperation, searchAdminOffersOperation } from './platform-admin.operations.js';
import type { AdminAdjustmentsParams, AdminOfferFilter, BrowseOffersParams } from './platform-admin.params.js';

/**
 * The platform-admin views a bank's back office uses (`/loyalty/offers/platform-admin/*`): no
 * user, the FI id from the module's configuration. A `status.code` other than 200 (or 600, as
 * Mastercard's mock data has it) is a `PersonalizedOffersApiError` with `apiStatus`.
 */
@Injectable()
export class PlatformAdminService {
  private readonly logger = new Logger(LOGGER_CONTEXT);

  /**
   * Called by Nest with the module's internal collaborators: applications never construct this
   * provider themselves, they inject it (`@InjectPersonalizedOffers` for a named registration).
   *
   * @internal
   */
  constructor(private readonly executor: OperationExecutor) {}

  /** GET `.../offers`: one page of the FI's offers. */
  browseOffers(params: BrowseOffersParams = {}): Promise<BrowseOffers> {
    return this.executor.execute(browseOffersOperation, params);
  }

  /** Every offer of `browseOffers` across pages. */
  iterateBrowseOffers(params: BrowseOffersParams = {}, options?: OffsetIterationOptions): AsyncGenerator<OfferInfo> {
    return offsetPages(
      params,
      options?.maxPages,
      (p) => this.browseOffers(p),
      (r) => r.offers,
      this.logger,
      'browseOffers',
    );
  }

  /** POST `.../offers/filters`: one page of the FI's offers matching `filter`. */
  searchAdminOffers(filter: AdminOfferFilter): Promise<BrowseOffers> {
    return this.executor.execute(searchAdminOffersOperation, filter);
  }

  /** Every offer of `searchAdminOffers` across pages. */
  iterateSearchAdminOffers(filter: AdminOfferFilter, options?: OffsetIterationOptions): AsyncGenerator<OfferInfo> {
    return offsetPages(
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers may pass no filter: every offer
      filter ?? {},
      options?.maxPages,
      (f) => this.searchAdminOffers(f),
      (r) => r.offers,
      this.logger,
      'searchAdminOffers',
    );
  }

  /** GET `.../adjustments`: one page of the FI's adjustments. */
  getAdjustments(params: AdminAdjustmentsParams = {}): Promise<AdminAdjustments> {
    return this.executor.execute(getAdjustmentsOperation, params);
  }

  /** Every adjustment across pages. */
  iterateAdjustments(params: AdminAdjustmentsParams = {}, options?: OffsetIterationOptions): AsyncGenerator<Adjustment> {
    return offsetPages(
      params,
      options?.maxPages,
      (p) => this.getAdjustments(p),
      (r) => r.adjustments,
      this.logger,
      'getAdjustments',
    );
  }
}
