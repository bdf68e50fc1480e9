// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { OffsetPage } from './offers.response.js';
import { ListOf, Num, Text } from './wire.decorators.js';

/** One `items` entry of GET /loyalty/offers/user-presentment/geo-locations; `country` is a full name (`United States`). */
export class GeoLocation {
  @Text() name?: string;
  @Text() subdivision1?: string;
  @Text() subdivision2?: string;
  @Text() country?: string;
  @Num() latitude?: number;
  @Num() longitude?: number;
}

/** The 200 body of GET /loyalty/offers/user-presentment/geo-locations. */
export class GeoLocations extends OffsetPage {
  @ListOf(() => GeoLocation) items?: GeoLocation[];
}
