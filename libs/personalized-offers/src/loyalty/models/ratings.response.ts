// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { OffsetPage } from './offers.response.js';
import { Int, ListOf, Nested, Text } from './wire.decorators.js';

/** One offer rating: `like` is `1` (like) or `0` (dislike), a JSON integer. */
export class OfferRating {
  /** System-wide identifier of the rated offer (campaign). */
  @Text() offerId?: string;
  /** The user's rating: `1` like, `0` dislike. */
  @Int() like?: number;
}

/** The 200 body of GET /loyalty/offers/user-presentment/offer-ratings. */
export class UserOfferRatings extends OffsetPage {
  /** The ratings of this page. */
  @ListOf(() => OfferRating) offerRatings?: OfferRating[];
}

/** The 200 body of GET …/offer-ratings/{offer_id} and POST …/offer-ratings/{offer_id}/likes: `{offerRating}`. */
export class UserOfferRating {
  /** The rating. */
  @Nested(() => OfferRating) offerRating?: OfferRating;
}
