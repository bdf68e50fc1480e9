// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { OffsetPage } from './offers.response.js';
import { ListOf, Num, Text } from './wire.decorators.js';

/** One `items` entry of GET /loyalty/offers/user-presentment/geo-locations; `country` is a full name (`United States`). */
export class GeoLocation {
  /** The place name, e.g. a city or town (`San Diego`). */
  @Text() name?: string;
  /** First-level subdivision, e.g. state or province (`California`). */
  @Text() subdivision1?: string;
  /** Second-level subdivision, e.g. county (`San Diego County`). */
  @Text() subdivision2?: string;
  /** Country of the place, a full name (`United States`). */
  @Text() country?: string;
  /** Latitude of the place, decimal degrees. */
  @Num() latitude?: number;
  /** Longitude of the place, decimal degrees. */
  @Num() longitude?: number;
}

/** The 200 body of GET /loyalty/offers/user-presentment/geo-locations. */
export class GeoLocations extends OffsetPage {
  /** The places of this page. */
  @ListOf(() => GeoLocation) items?: GeoLocation[];
}
