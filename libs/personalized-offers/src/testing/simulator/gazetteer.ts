/** One place of the simulator's gazetteer, in the `GeoLocation` shape of findGeoLocations. */
export interface GazetteerEntry {
  readonly name: string;
  readonly subdivision1: string;
  readonly subdivision2: string;
  readonly country: string;
  readonly latitude: number;
  readonly longitude: number;
}

const US = 'United States';

/** A small fixed gazetteer: the catalogue's merchant cities plus a few more (several "San …" to page through). */
export const GAZETTEER: readonly GazetteerEntry[] = Object.freeze(
  [
    { name: 'San Diego', subdivision1: 'California', subdivision2: 'San Diego County', country: US, latitude: 32.71571, longitude: -117.16472 },
    { name: 'San Francisco', subdivision1: 'California', subdivision2: 'San Francisco County', country: US, latitude: 37.77493, longitude: -122.41942 },
    { name: 'San Jose', subdivision1: 'California', subdivision2: 'Santa Clara County', country: US, latitude: 37.33939, longitude: -121.89496 },
    { name: 'San Antonio', subdivision1: 'Texas', subdivision2: 'Bexar County', country: US, latitude: 29.42412, longitude: -98.49363 },
    { name: 'Santa Fe', subdivision1: 'New Mexico', subdivision2: 'Santa Fe County', country: US, latitude: 35.68698, longitude: -105.9378 },
    { name: 'Los Angeles', subdivision1: 'California', subdivision2: 'Los Angeles County', country: US, latitude: 34.05223, longitude: -118.24368 },
    { name: 'New York', subdivision1: 'New York', subdivision2: 'New York County', country: US, latitude: 40.71427, longitude: -74.00597 },
    { name: 'Boston', subdivision1: 'Massachusetts', subdivision2: 'Suffolk County', country: US, latitude: 42.35843, longitude: -71.05977 },
    { name: 'Chicago', subdivision1: 'Illinois', subdivision2: 'Cook County', country: US, latitude: 41.85003, longitude: -87.65005 },
    { name: 'Dallas', subdivision1: 'Texas', subdivision2: 'Dallas County', country: US, latitude: 32.78306, longitude: -96.80667 },
    { name: 'Miami', subdivision1: 'Florida', subdivision2: 'Miami-Dade County', country: US, latitude: 25.77427, longitude: -80.19366 },
    { name: 'Seattle', subdivision1: 'Washington', subdivision2: 'King County', country: US, latitude: 47.60621, longitude: -122.33207 },
    { name: 'Flagstaff', subdivision1: 'Arizona', subdivision2: 'Coconino County', country: US, latitude: 35.19807, longitude: -111.65127 },
    { name: 'Portland', subdivision1: 'Oregon', subdivision2: 'Multnomah County', country: US, latitude: 45.52345, longitude: -122.67621 },
    { name: 'Portland', subdivision1: 'Maine', subdivision2: 'Cumberland County', country: US, latitude: 43.66147, longitude: -70.25533 },
    { name: 'Sydney', subdivision1: 'New South Wales', subdivision2: 'City of Sydney', country: 'Australia', latitude: -33.86785, longitude: 151.20732 },
    { name: 'Paris', subdivision1: 'Île-de-France', subdivision2: 'Paris', country: 'France', latitude: 48.85341, longitude: 2.3488 },
  ].map((e) => Object.freeze(e)),
);

/** Other names a keyword may use for a country ("San Diego, California, USA" is the spec's own example). */
const COUNTRY_ALIASES: Readonly<Record<string, readonly string[]>> = {
  [US]: ['USA', 'US', 'United States of America'],
  Australia: ['AUS', 'AU'],
  France: ['FRA', 'FR'],
};

/**
 * The entries matching `keywords`: split on commas, each non-empty term must be a
 * case-insensitive substring of one of the entry's fields (name, subdivisions, country or one
 * of its aliases). So `San Diego, California, USA`, `san` and `portland, maine` all work.
 */
export function searchGazetteer(keywords: string): GazetteerEntry[] {
  const terms = keywords
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '');
  return GAZETTEER.filter((e) => {
    const fields = [e.name, e.subdivision1, e.subdivision2, e.country, ...(COUNTRY_ALIASES[e.country] ?? [])].map((f) => f.toLowerCase());
    return terms.every((t) => fields.some((f) => f.includes(t)));
  });
}
