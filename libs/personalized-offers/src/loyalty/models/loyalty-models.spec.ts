import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import * as models from './index.js';
import {
  Activation,
  Activations,
  Adjustment,
  AdminAdjustments,
  BrowseOffers,
  Coordinate,
  Distance,
  EligibilityList,
  GeoLocation,
  GeoLocations,
  IcaEligibilityList,
  Localization,
  Media,
  Merchant,
  MerchantIdsByAcquirerIca,
  MerchantIdsByAcquirerIcaList,
  MerchantLocation,
  OfferDetails,
  OfferInfo,
  OfferRating,
  PresentmentSavings,
  PrimaryValueList,
  Reward,
  StatusInfo,
  UserAccessToken,
  UserAdjustments,
  UserAssignment,
  UserOffer,
  UserOfferDetails,
  UserOfferRating,
  UserOfferRatings,
  UserOffers,
  UserPresentmentSavings,
} from './index.js';

// ---------------------------------------------------------------------------------------------
// The v1.5 spec, read from shared/specs (a sibling of the repo root), and a 200-example builder.
// ---------------------------------------------------------------------------------------------

/** js-yaml (a pinned devDependency) has no type package here; required this way to need none. */
const { safeLoad: parseYaml } = createRequire(import.meta.url)('js-yaml') as { safeLoad: (text: string) => unknown };

const specsDir = new URL('../../../../../../shared/specs/', import.meta.url);

interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  example?: unknown;
}
interface SpecOperation {
  operationId?: string;
  responses?: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
interface Spec {
  paths: Record<string, Record<string, SpecOperation>>;
  /** Looked up by the names in `$ref`s, which may name no schema. */
  components: { schemas: Record<string, Schema | undefined> };
}

const spec = parseYaml(readFileSync(new URL('personalized-card-linked-offers-v1.5.openapi.yaml', specsDir), 'utf8')) as Spec;

/** Follows `#/components/schemas/…` references. */
function resolve(schema: Schema): Schema {
  let current = schema;
  for (let hops = 0; current.$ref; hops++) {
    const name = current.$ref.replace('#/components/schemas/', '');
    const next = spec.components.schemas[name];
    if (!next || hops > 20) throw new Error(`unresolvable $ref ${current.$ref}`);
    current = next;
  }
  return current;
}

/** A value built from the examples: the schema's own `example` if any, else objects from their properties and arrays as [item]. */
function exampleOf(schema: Schema, depth = 0): unknown {
  if (depth > 30) throw new Error('schema nesting too deep (a reference cycle?)');
  const s = resolve(schema);
  if (s.example !== undefined) return s.example;
  if (s.items) {
    const item = exampleOf(s.items, depth + 1);
    return item === undefined ? undefined : [item];
  }
  if (s.properties) {
    const out: Record<string, unknown> = {};
    for (const [key, property] of Object.entries(s.properties)) {
      const value = exampleOf(property, depth + 1);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
  return undefined;
}

/** Every `/loyalty/offers/…` operation of v1.5, by operationId. */
const loyaltyOperations = Object.entries(spec.paths).flatMap(([path, methods]) =>
  path.startsWith('/loyalty/offers/') ? Object.entries(methods).map(([method, operation]) => ({ id: operation.operationId!, method, path, operation })) : [],
);

/** The application/json 200 schema of one operation. */
function schema200(operationId: string): Schema {
  const found = loyaltyOperations.find((candidate) => candidate.id === operationId);
  const schema = found?.operation.responses?.['200']?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${operationId} has no application/json 200 schema`);
  return schema;
}

/** The example 200 body of one operation, as a fresh object (safe to mutate). */
function example200(operationId: string): Record<string, unknown> {
  return structuredClone(exampleOf(schema200(operationId))) as Record<string, unknown>;
}

/** A copy of `json` with the value at `path` replaced. */
function withValue(json: unknown, path: ReadonlyArray<string | number>, value: unknown): Record<string, unknown> {
  const copy = structuredClone(json) as Record<string, unknown>;
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  parent[path[path.length - 1]] = value;
  return copy;
}

/** The value at `path`. */
function at(json: unknown, path: ReadonlyArray<string | number>): unknown {
  return path.reduce<unknown>((value, key) => (value as Record<string | number, unknown>)[key], json);
}

// ---------------------------------------------------------------------------------------------
// Parsing exactly as the pipeline does: plainToInstance + validateSync, default options.
// ---------------------------------------------------------------------------------------------

function parse<M extends object>(model: ClassConstructor<M>, json: unknown): { instance: M; failures: string[] } {
  const instance = plainToInstance(model, json as Record<string, unknown>);
  return { instance, failures: failuresOf(validateSync(instance)) };
}

/** Every failed constraint as `path.to.property:constraint`, for readable assertions. */
function failuresOf(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    return [...Object.keys(error.constraints ?? {}).map((name) => `${path}:${name}`), ...failuresOf(error.children ?? [], path)];
  });
}

/** class-validator's metadata, with `each` as it really is: undefined when a decorator's options leave it out (its type says boolean). */
type Metadata = Omit<ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number], 'each'> & { each?: boolean };

/** The class-validator metadata of a class, its parents' included. */
function metadataOf(cls: ClassConstructor<object>): Metadata[] {
  return getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
}

/** The properties a class declares (own and inherited). */
function declaredProperties(cls: ClassConstructor<object>): string[] {
  return [...new Set(metadataOf(cls).map((metadata) => metadata.propertyName))].sort();
}

/** Every model class the barrel exports. */
const modelClasses = Object.values(models).filter((value): value is ClassConstructor<object> => typeof value === 'function');

// ---------------------------------------------------------------------------------------------
// 1. Every v1.5 `/loyalty/offers/…` operation with a JSON object body: its 200 example.
// ---------------------------------------------------------------------------------------------

interface Row {
  op: string;
  model: ClassConstructor<object>;
  check: (instance: never) => void;
}

function row<M extends object>(op: string, model: ClassConstructor<M>, check: (body: M) => void): Row {
  return { op, model, check };
}

/** Spot checks of one composed offer example (any of OfferInfo, UserOfferDetails, UserOffer). */
function checkOffer(offer: OfferInfo | undefined): void {
  expect(offer).toBeInstanceOf(OfferInfo);
  expect(offer?.id).toBe('d82e1e7c-c6b9-3b46-acd0-5498731c2838');
  expect(offer?.tags).toEqual(['Westpac']); // a bare string in the spec
  expect(offer?.adjustmentBankProductCodes).toEqual(['Altitude_PCLO004']);
  expect(offer?.redemptionSpendThreshold).toBe(100);
  expect(offer?.assignmentOnEnrollment).toBe(true);
  expect(offer?.test).toBe(false);
  expect(offer?.lastModified).toBe('2019-08-21T15:10:42-07:00');
  expect(offer?.eventStartDate).toBe('2020-03-31');
  expect(offer?.merchant).toBeInstanceOf(Merchant);
  expect(Array.isArray(offer?.merchant?.locations) && offer.merchant.locations.length).toBe(1);
  expect(offer?.merchant?.locations?.[0]).toBeInstanceOf(MerchantLocation);
  expect(offer?.merchant?.locations?.[0]?.zipcode).toBe('92122');
  expect(offer?.merchant?.locations?.[0]?.longitude).toBe(-117.204063);
  expect(Array.isArray(offer?.rewards) && offer.rewards.length).toBe(1);
  expect(offer?.rewards?.[0]).toBeInstanceOf(Reward);
  expect(offer?.rewards?.[0]?.percentage).toBe(0.2);
  expect(offer?.rewards?.[0]?.primary).toBe(true);
  expect(Array.isArray(offer?.localizations) && offer.localizations.length).toBe(1);
  expect(offer?.localizations?.[0]).toBeInstanceOf(Localization);
  expect(offer?.localizations?.[0]?.storeLocatorURL).toBe('http://www.example.com/locations/');
  expect(offer?.localizations?.[0]?.media?.[0]).toBeInstanceOf(Media);
  expect(offer?.localizations?.[0]?.media?.[0]?.class).toBe('Logo_Square_85x85');
  expect(offer?.redemptionClassifiers).toBeInstanceOf(PrimaryValueList);
  expect(offer?.redemptionCountries?.primaryValue).toBe('US');
  expect(offer?.redemptionCountries?.values).toEqual(['US']);
  expect(offer?.presentmentCountries).toBeInstanceOf(EligibilityList);
  expect(offer?.presentmentCountries?.values).toEqual(['USA']);
  expect(offer?.redemptionIssuerICAs).toBeInstanceOf(IcaEligibilityList);
  expect(offer?.redemptionIssuerICAs?.values).toEqual([8787]);
  expect(offer?.redemptionMerchantIdsByAcquirerICAs).toBeInstanceOf(MerchantIdsByAcquirerIcaList);
  expect(offer?.redemptionMerchantIdsByAcquirerICAs?.items?.[0]).toBeInstanceOf(MerchantIdsByAcquirerIca);
  expect(offer?.redemptionMerchantIdsByAcquirerICAs?.items?.[0]?.parent).toBe(999999);
  expect(offer?.redemptionMerchantIdsByAcquirerICAs?.items?.[0]?.values).toEqual(['merchant70']);
  expect(offer?.redemptionBankProductCodes?.values).toEqual(['405']);
}

/** Spot checks of a composed paging block (offset 5, limit 10, total 50, count 5). */
function checkPage(body: { offset?: number; limit?: number; total?: number; count?: number }): void {
  expect([body.offset, body.limit, body.total, body.count]).toEqual([5, 10, 50, 5]);
}

/** Spot checks of a composed adjustments list. */
function checkAdjustments(body: UserAdjustments): void {
  checkPage(body);
  expect(body.responseLastModifiedDateTime).toBe('2021-05-04T11:58:08.508Z');
  expect(Array.isArray(body.adjustments) && body.adjustments.length).toBe(1);
  const adjustment = body.adjustments![0];
  expect(adjustment).toBeInstanceOf(Adjustment);
  expect(adjustment.activationId).toBe(2153386);
  expect(adjustment.transactionSequenceNumber).toBe(10002606); // a number stays a number
  expect(adjustment.transactionAmount).toBe(10.6);
  expect(adjustment.adjustmentAccountISUID).toBe('14zP393U0302qSt89 '); // trailing space kept
  expect(adjustment.transactionInstallmentPayment).toBe(true);
  expect(adjustment.adjustmentReversal).toBe(false);
  expect(adjustment.transactionIssuerICA).toBe(12322);
  expect(adjustment.createdDate).toBe('2020-07-10');
}

const rows: Row[] = [
  row('createAccessToken', UserAccessToken, (body) => {
    expect(body.accessToken).toMatch(/^eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9\./);
  }),
  row('getOffers', UserOffers, (body) => {
    checkPage(body);
    expect(body.location).toBeInstanceOf(Coordinate);
    expect(body.location?.latitude).toBe(33.916776);
    expect(body.distance).toBeInstanceOf(Distance);
    expect(body.distance).toEqual(expect.objectContaining({ text: '50km', value: 50000 }));
    expect(Array.isArray(body.offers) && body.offers.length).toBe(1);
    expect(body.offers![0]).toBeInstanceOf(UserOffer);
    checkOffer(body.offers![0]);
    expect(body.offers![0].assignments?.[0]).toBeInstanceOf(UserAssignment);
    expect(body.offers![0].assignments?.[0]).toEqual(expect.objectContaining({ active: true, status: 'ACTIVATED', propensityScore: 0.5384 }));
  }),
  row('getOffer', OfferDetails, (body) => {
    expect(body.userOfferDetails).toBeInstanceOf(UserOfferDetails);
    expect(body.userOfferDetails).not.toHaveProperty('assignments');
    checkOffer(body.userOfferDetails);
  }),
  row('searchOffers', UserOffers, (body) => {
    checkPage(body);
    expect(body.offers![0]).toBeInstanceOf(UserOffer);
    checkOffer(body.offers![0]);
    expect(Array.isArray(body.offers![0].assignments) && body.offers![0].assignments.length).toBe(1);
  }),
  row('processActivations', Activations, (body) => {
    expect(Array.isArray(body.activations) && body.activations.length).toBe(1);
    const activation = body.activations![0];
    expect(activation).toBeInstanceOf(Activation);
    expect(activation.status).toBe('QUEUED');
    expect(activation.id).toBe('98382a7a-6276-4a12-94a6-f4d67f530717');
    expect(Array.isArray(activation.assignments) && activation.assignments.length).toBe(1);
    expect(activation.assignments![0]).toBeInstanceOf(UserAssignment);
    expect(activation.assignments![0].activationDateTime).toBe('2020-08-06T07:18:22-05:00');
  }),
  row('getOfferRatings', UserOfferRatings, (body) => {
    checkPage(body);
    expect(Array.isArray(body.offerRatings) && body.offerRatings.length).toBe(1);
    expect(body.offerRatings![0]).toBeInstanceOf(OfferRating);
    expect(body.offerRatings![0]).toEqual(expect.objectContaining({ offerId: 'd82e1e7c-c6b9-3b46-acd0-5498731c2838', like: 1 }));
  }),
  row('getOfferRating', UserOfferRating, (body) => {
    expect(body.offerRating).toBeInstanceOf(OfferRating);
    expect(body.offerRating?.like).toBe(1);
  }),
  row('createOfferRating', UserOfferRating, (body) => {
    expect(body.offerRating).toBeInstanceOf(OfferRating);
    expect(body.offerRating?.offerId).toBe('d82e1e7c-c6b9-3b46-acd0-5498731c2838');
  }),
  row('getUserPresentmentSavings', UserPresentmentSavings, (body) => {
    expect(body.savings).toBeInstanceOf(PresentmentSavings);
    expect(body.savings).toEqual(
      expect.objectContaining({
        adjustmentsCashTotal: 40.15,
        offersRedeemed: 5,
        adjustmentsPointsTotal: 155,
        potentialCash: 195.12,
        offersAvailable: 10,
        potentialPoints: 4,
      }),
    );
  }),
  row('getUserPresentmentAdjustments', UserAdjustments, (body) => {
    expect(body).not.toBeInstanceOf(AdminAdjustments);
    expect(body).not.toHaveProperty('status');
    checkAdjustments(body);
  }),
  row('findGeoLocations', GeoLocations, (body) => {
    checkPage(body);
    expect(Array.isArray(body.items) && body.items.length).toBe(1);
    expect(body.items![0]).toBeInstanceOf(GeoLocation);
    expect(body.items![0]).toEqual(expect.objectContaining({ name: 'San Diego', country: 'United States', latitude: 32.71571, longitude: -117.16472 }));
  }),
  row('browseOffers', BrowseOffers, (body) => {
    checkPage(body);
    expect(body.status).toBeInstanceOf(StatusInfo);
    expect(body.status?.code).toBe(200);
    expect(body.status?.message).toBe('Success');
    expect(Array.isArray(body.offers) && body.offers.length).toBe(1);
    expect(body.offers![0].constructor).toBe(OfferInfo);
    checkOffer(body.offers![0]);
  }),
  row('searchAdminOffers', BrowseOffers, (body) => {
    expect(body.status?.code).toBe(200);
    expect(body.offers![0].constructor).toBe(OfferInfo);
    checkOffer(body.offers![0]);
  }),
  row('getAdjustments', AdminAdjustments, (body) => {
    expect(body.status).toBeInstanceOf(StatusInfo);
    expect(body.status?.code).toBe(200);
    checkAdjustments(body);
  }),
];

/** What the models must hold, beyond the spec type: `Class.property` → the class-validator constraint expected. */
const typeExceptions: Record<string, string> = {
  // An integer in the spec, "formatted with leading zeros": a string or a number, kept as sent (pitfall 17).
  'Adjustment.transactionSequenceNumber': 'isStringOrNumber',
};

const scalarConstraint: Record<string, string> = { string: 'isString', integer: 'isInt', number: 'isNumber', boolean: 'isBoolean' };

/**
 * Compares a schema with the parsed instance of its model: every spec property must be declared with the constraint of
 * its spec type (objects and list items converted to a model class, recursively), and the class declares no other property.
 */
function schemaMismatches(schema: Schema, instance: object, where: string): string[] {
  const s = resolve(schema);
  const cls = instance.constructor as ClassConstructor<object>; // a model instance, made by plainToInstance
  const out: string[] = [];
  const specKeys = Object.keys(s.properties ?? {});
  for (const extra of declaredProperties(cls).filter((key) => !specKeys.includes(key)))
    out.push(`${where}${extra}: declared on ${cls.name} but not in the spec`);
  for (const [key, raw] of Object.entries(s.properties ?? {})) {
    const property = resolve(raw);
    const path = `${where}${key}`;
    const metadata = metadataOf(cls).filter((m) => m.propertyName === key);
    const names = (each: boolean) => metadata.filter((m) => Boolean(m.each) === each).map((m) => m.name);
    const value = (instance as Record<string, unknown>)[key];
    const isModel = (v: unknown): v is object => typeof v === 'object' && v !== null && v.constructor !== Object && !Array.isArray(v);
    if (metadata.length === 0) {
      out.push(`${path}: not declared on ${cls.name}`);
    } else if (property.type === 'array') {
      if (!names(false).includes('isArray')) out.push(`${path}: no isArray`);
      const item = resolve(property.items!);
      if (item.properties) {
        if (!names(true).includes('isObject')) out.push(`${path}: items not isObject`);
        const first = (value as unknown[] | undefined)?.[0];
        if (isModel(first)) out.push(...schemaMismatches(item, first, `${path}[0].`));
        else out.push(`${path}[0]: not converted to a model class`);
      } else if (!names(true).includes(scalarConstraint[item.type!])) {
        out.push(`${path}: items not ${scalarConstraint[item.type!]} (has ${names(true).join(',')})`);
      }
    } else if (property.properties) {
      if (!names(false).includes('isObject')) out.push(`${path}: not isObject`);
      if (isModel(value)) out.push(...schemaMismatches(property, value, `${path}.`));
      else out.push(`${path}: not converted to a model class`);
    } else {
      const expected = typeExceptions[`${cls.name}.${key}`] ?? scalarConstraint[property.type!];
      if (!names(false).includes(expected)) out.push(`${path}: expected ${expected} (has ${names(false).join(',')})`);
    }
  }
  return out;
}

describe('loyalty response models against the v1.5 spec examples', () => {
  it('has one row per /loyalty/offers operation whose 200 body is a JSON object: all of them but publishImpressions (a bare string)', () => {
    const objectBodies = loyaltyOperations.filter(({ id }) => resolve(schema200(id)).type === 'object').map(({ id }) => id);
    expect(rows.map((r) => r.op).sort()).toEqual([...objectBodies].sort());
    expect(objectBodies).toHaveLength(14);
    expect(loyaltyOperations.map(({ id }) => id).filter((id) => !objectBodies.includes(id))).toEqual(['publishImpressions']);
    expect(resolve(schema200('publishImpressions')).type).toBe('string');
  });

  it.each(rows)('$op: the composed 200 example parses with no validation errors, lists as arrays, values as sent', ({ op, model, check }) => {
    const { instance, failures } = parse(model, example200(op));
    expect(failures).toEqual([]);
    expect(instance).toBeInstanceOf(model);
    check(instance as never);
  });

  it.each(rows)('$op: the model declares exactly the 200 schema properties, each with the constraint of its spec type', ({ op, model }) => {
    const { instance } = parse(model, example200(op));
    expect(schemaMismatches(schema200(op), instance, '')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Tolerance rules.
// ---------------------------------------------------------------------------------------------

describe('a list that arrives as a single value', () => {
  /** `field` is the declaring `Class.property`; `path` locates the list in the operation's composed example. */
  const cases: Array<{
    field: string;
    op: string;
    model: ClassConstructor<object>;
    path: Array<string | number>;
    item: ClassConstructor<object> | 'string' | 'number';
  }> = [
    { field: 'UserOffers.offers', op: 'getOffers', model: UserOffers, path: ['offers'], item: UserOffer },
    { field: 'UserOffer.assignments', op: 'searchOffers', model: UserOffers, path: ['offers', 0, 'assignments'], item: UserAssignment },
    { field: 'OfferInfo.rewards', op: 'getOffer', model: OfferDetails, path: ['userOfferDetails', 'rewards'], item: Reward },
    { field: 'OfferInfo.localizations', op: 'browseOffers', model: BrowseOffers, path: ['offers', 0, 'localizations'], item: Localization },
    { field: 'Localization.media', op: 'getOffer', model: OfferDetails, path: ['userOfferDetails', 'localizations', 0, 'media'], item: Media },
    { field: 'Merchant.locations', op: 'getOffers', model: UserOffers, path: ['offers', 0, 'merchant', 'locations'], item: MerchantLocation },
    { field: 'OfferInfo.tags', op: 'getOffers', model: UserOffers, path: ['offers', 0, 'tags'], item: 'string' },
    {
      field: 'OfferInfo.adjustmentBankProductCodes',
      op: 'getOffer',
      model: OfferDetails,
      path: ['userOfferDetails', 'adjustmentBankProductCodes'],
      item: 'string',
    },
    { field: 'PrimaryValueList.values', op: 'getOffers', model: UserOffers, path: ['offers', 0, 'redemptionCountries', 'values'], item: 'string' },
    { field: 'EligibilityList.values', op: 'getOffers', model: UserOffers, path: ['offers', 0, 'presentmentCountries', 'values'], item: 'string' },
    { field: 'IcaEligibilityList.values', op: 'getOffers', model: UserOffers, path: ['offers', 0, 'redemptionIssuerICAs', 'values'], item: 'number' },
    {
      field: 'MerchantIdsByAcquirerIcaList.items',
      op: 'getOffers',
      model: UserOffers,
      path: ['offers', 0, 'redemptionMerchantIdsByAcquirerICAs', 'items'],
      item: MerchantIdsByAcquirerIca,
    },
    {
      field: 'MerchantIdsByAcquirerIca.values',
      op: 'getOffers',
      model: UserOffers,
      path: ['offers', 0, 'redemptionMerchantIdsByAcquirerICAs', 'items', 0, 'values'],
      item: 'string',
    },
    { field: 'BrowseOffers.offers', op: 'searchAdminOffers', model: BrowseOffers, path: ['offers'], item: OfferInfo },
    { field: 'Activations.activations', op: 'processActivations', model: Activations, path: ['activations'], item: Activation },
    { field: 'Activation.assignments', op: 'processActivations', model: Activations, path: ['activations', 0, 'assignments'], item: UserAssignment },
    { field: 'UserOfferRatings.offerRatings', op: 'getOfferRatings', model: UserOfferRatings, path: ['offerRatings'], item: OfferRating },
    { field: 'UserAdjustments.adjustments', op: 'getUserPresentmentAdjustments', model: UserAdjustments, path: ['adjustments'], item: Adjustment },
    { field: 'GeoLocations.items', op: 'findGeoLocations', model: GeoLocations, path: ['items'], item: GeoLocation },
  ];

  it('covers every list property the models declare (isArray), each once', () => {
    const lists = modelClasses.flatMap((cls) =>
      metadataOf(cls)
        .filter((m) => m.target === cls && m.name === 'isArray')
        .map((m) => `${cls.name}.${m.propertyName}`),
    );
    expect(cases.map((c) => c.field).sort()).toEqual([...new Set(lists)].sort());
    expect(lists).toHaveLength(cases.length);
  });

  it.each(cases)('$field: the example list item sent alone becomes a one-element array holding it', ({ op, model, path, item }) => {
    const example = example200(op);
    const single = (at(example, path) as unknown[])[0];
    expect(single).toBeDefined();
    const { instance, failures } = parse(model, withValue(example, path, single));
    expect(failures).toEqual([]);
    const list = at(instance, path) as unknown[];
    expect(Array.isArray(list)).toBe(true);
    expect(list).toHaveLength(1);
    if (typeof item === 'function') {
      expect(list[0]).toBeInstanceOf(item);
      expect(list[0]).toEqual(at(parse(model, example).instance, [...path, 0])); // the same item as parsed from the list
    } else {
      expect(typeof list[0]).toBe(item);
      expect(list[0]).toBe(single);
    }
  });

  it('OfferInfo.tags: a two-element array stays two elements, in order', () => {
    const { instance, failures } = parse(UserOffers, { offers: [{ tags: ['Westpac', 'Dining'] }] });
    expect(failures).toEqual([]);
    expect(instance.offers?.[0]?.tags).toEqual(['Westpac', 'Dining']);
  });

  it('OfferInfo.tags: a JSON number item becomes its string form, like a scalar Text field', () => {
    const { instance, failures } = parse(UserOffers, { offers: [{ tags: ['Westpac', 42], adjustmentBankProductCodes: 405 }] });
    expect(failures).toEqual([]);
    expect(instance.offers?.[0]?.tags).toEqual(['Westpac', '42']);
    expect(instance.offers?.[0]?.adjustmentBankProductCodes).toEqual(['405']);
  });
});

describe('null fields', () => {
  it.each(modelClasses.map((cls) => ({ name: cls.name, cls })))(
    '$name: every declared property sent as null validates and reads back as undefined',
    ({ cls }) => {
      const properties = declaredProperties(cls);
      expect(properties.length).toBeGreaterThan(0);
      const { instance, failures } = parse(cls, Object.fromEntries(properties.map((property) => [property, null])));
      expect(failures).toEqual([]);
      for (const property of properties) expect([property, (instance as Record<string, unknown>)[property]]).toEqual([property, undefined]);
    },
  );

  it('the fields the spec documents as null (CASH, ALWAYSON adjustment) inside the getAdjustments example validate and read back as undefined', () => {
    const nulls = [
      'activationId',
      'adjustmentPointsValue',
      'adjustmentPointsType',
      'pointsConversionRate',
      'transactionAccountISUID',
      'adjustmentAccountISUID',
      'transactionInstallmentPayment',
    ];
    const example = example200('getAdjustments');
    const adjustment = {
      ...(at(example, ['adjustments', 0]) as object),
      ...Object.fromEntries(nulls.map((key) => [key, null])),
      adjustmentMode: 'CASH',
      offerType: 'ALWAYSON',
    };
    const { instance, failures } = parse(AdminAdjustments, withValue(example, ['adjustments', 0], adjustment));
    expect(failures).toEqual([]);
    const parsed = instance.adjustments![0] as unknown as Record<string, unknown>;
    expect(nulls.map((key) => parsed[key])).toEqual(nulls.map(() => undefined));
    expect(parsed.adjustmentCashValue).toBe(0.25);
  });

  it('redemptionSpendThreshold null (a VISIT offer) inside the getOffers example validates and reads back as undefined', () => {
    const json = withValue(example200('getOffers'), ['offers', 0, 'redemptionSpendThreshold'], null);
    const { instance, failures } = parse(UserOffers, withValue(json, ['offers', 0, 'redemptionStatementCreditType'], 'VISIT'));
    expect(failures).toEqual([]);
    expect(instance.offers?.[0]?.redemptionSpendThreshold).toBeUndefined();
    expect(instance.offers?.[0]?.redemptionVisitThreshold).toBe(1);
  });
});

describe('unknown fields', () => {
  it('are kept with their values at the top level, on an offer, its merchant location, an assignment and the status', () => {
    const json = {
      traceId: 't-1',
      status: { code: 200, message: 'Success', detail: 'ok' },
      offers: [{ id: 'o', futureFlag: true, newBlock: { a: [1, 2] }, merchant: { name: 'm', locations: [{ city: 'X', phone: '555' }] } }],
    };
    const { instance, failures } = parse(BrowseOffers, json);
    expect(failures).toEqual([]);
    expect((instance as unknown as Record<string, unknown>).traceId).toBe('t-1');
    expect((instance.status as unknown as Record<string, unknown>).detail).toBe('ok');
    const offer = instance.offers![0] as unknown as Record<string, unknown>;
    expect(offer.futureFlag).toBe(true);
    expect(offer.newBlock).toEqual({ a: [1, 2] });
    expect((instance.offers![0].merchant!.locations![0] as unknown as Record<string, unknown>).phone).toBe('555');

    const user = parse(Activations, { activations: [{ id: 'a', assignments: [{ active: true, channel: 'APP' }] }], requestId: 'r' });
    expect(user.failures).toEqual([]);
    expect((user.instance as unknown as Record<string, unknown>).requestId).toBe('r');
    expect((user.instance.activations![0].assignments![0] as unknown as Record<string, unknown>).channel).toBe('APP');
  });
});

describe('platform-admin status.code', () => {
  it.each([
    { model: BrowseOffers, sent: '600', expected: 600 },
    { model: BrowseOffers, sent: ' 200 ', expected: 200 },
    { model: AdminAdjustments, sent: '600', expected: 600 },
    { model: AdminAdjustments, sent: 600, expected: 600 },
  ])('$model.name: status.code $sent is accepted and read back as the number $expected', ({ model, sent, expected }) => {
    const { instance, failures } = parse<{ status?: StatusInfo }>(model, { status: { code: sent, message: 'Success' } });
    expect(failures).toEqual([]);
    expect(instance.status?.code).toBe(expected);
  });

  it.each([['Success'], ['6OO'], [''], [2.5], [true]])('status.code %p is rejected at status.code:isInt', (code) => {
    const { failures } = parse(BrowseOffers, { status: { code } });
    expect(failures).toEqual(['status.code:isInt']);
  });
});

describe('values kept exactly as sent', () => {
  it.each([['00010002606'], ['10002606'], [10002606]])('transactionSequenceNumber %p is accepted and kept with its JSON type and text', (sent) => {
    const { instance, failures } = parse(UserAdjustments, { adjustments: [{ transactionSequenceNumber: sent }] });
    expect(failures).toEqual([]);
    expect(instance.adjustments?.[0]?.transactionSequenceNumber).toBe(sent);
  });

  it.each([[true], [{ value: 1 }], [[1]]])('transactionSequenceNumber %p is rejected at adjustments.0.transactionSequenceNumber', (sent) => {
    const { failures } = parse(UserAdjustments, { adjustments: [{ transactionSequenceNumber: sent }] });
    expect(failures).toEqual(['adjustments.0.transactionSequenceNumber:isStringOrNumber']);
  });

  it('dates and date-times stay the exact strings sent, whatever their format (no Date objects)', () => {
    const json = {
      offers: [
        { eventStartDate: '09/05/2019', lastModified: '2019-09-25T09:43:11.000+0000', assignments: [{ activationDateTime: '2020-08-06T07:18:22-05:00' }] },
      ],
    };
    const { instance, failures } = parse(UserOffers, json);
    expect(failures).toEqual([]);
    expect(instance.offers?.[0]?.eventStartDate).toBe('09/05/2019');
    expect(instance.offers?.[0]?.lastModified).toBe('2019-09-25T09:43:11.000+0000');
    expect(instance.offers?.[0]?.assignments?.[0]?.activationDateTime).toBe('2020-08-06T07:18:22-05:00');
  });

  it('a JSON number in a string field (zipcode) becomes its string form, as in the legacy models', () => {
    const { instance, failures } = parse(UserOffers, { offers: [{ merchant: { locations: [{ zipcode: 92122 }] } }] });
    expect(failures).toEqual([]);
    expect(instance.offers?.[0]?.merchant?.locations?.[0]?.zipcode).toBe('92122');
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Wrong types are rejected, at the exact property path (the rest of the example being valid).
// ---------------------------------------------------------------------------------------------

describe('wrong types in an otherwise valid example are rejected', () => {
  const cases: Array<{ what: string; op: string; model: ClassConstructor<object>; path: Array<string | number>; value: unknown; failure: string }> = [
    { what: 'offset is a non-numeric string', op: 'getOffers', model: UserOffers, path: ['offset'], value: 'x', failure: 'offset:isInt' },
    { what: 'total is a numeric string', op: 'findGeoLocations', model: GeoLocations, path: ['total'], value: '5', failure: 'total:isInt' },
    { what: 'count is a fraction', op: 'getOfferRatings', model: UserOfferRatings, path: ['count'], value: 2.5, failure: 'count:isInt' },
    {
      what: 'a rating like is a string',
      op: 'getOfferRating',
      model: UserOfferRating,
      path: ['offerRating', 'like'],
      value: '1',
      failure: 'offerRating.like:isInt',
    },
    {
      what: 'a savings amount is a numeric string',
      op: 'getUserPresentmentSavings',
      model: UserPresentmentSavings,
      path: ['savings', 'potentialCash'],
      value: '195.12',
      failure: 'savings.potentialCash:isNumber',
    },
    {
      what: 'an adjustment amount is a numeric string',
      op: 'getAdjustments',
      model: AdminAdjustments,
      path: ['adjustments', 0, 'transactionAmount'],
      value: '10.6',
      failure: 'adjustments.0.transactionAmount:isNumber',
    },
    {
      what: 'an adjustment activationId is a numeric string',
      op: 'getUserPresentmentAdjustments',
      model: UserAdjustments,
      path: ['adjustments', 0, 'activationId'],
      value: '2153386',
      failure: 'adjustments.0.activationId:isInt',
    },
    {
      what: 'a geo-location latitude is a string',
      op: 'findGeoLocations',
      model: GeoLocations,
      path: ['items', 0, 'latitude'],
      value: '32.7',
      failure: 'items.0.latitude:isNumber',
    },
    { what: 'distance.value is a string', op: 'searchOffers', model: UserOffers, path: ['distance', 'value'], value: '50000', failure: 'distance.value:isInt' },
    {
      what: 'accessToken is an object',
      op: 'createAccessToken',
      model: UserAccessToken,
      path: ['accessToken'],
      value: { token: 'x' },
      failure: 'accessToken:isString',
    },
    { what: 'an offer id is an object', op: 'getOffers', model: UserOffers, path: ['offers', 0, 'id'], value: { value: 'x' }, failure: 'offers.0.id:isString' },
    {
      what: 'an activation status is an array',
      op: 'processActivations',
      model: Activations,
      path: ['activations', 0, 'status'],
      value: ['QUEUED'],
      failure: 'activations.0.status:isString',
    },
    {
      what: 'status.message is an object',
      op: 'browseOffers',
      model: BrowseOffers,
      path: ['status', 'message'],
      value: { text: 'Success' },
      failure: 'status.message:isString',
    },
    { what: 'an offers list item is a number', op: 'getOffers', model: UserOffers, path: ['offers', 1], value: 5, failure: 'offers:isObject' },
    {
      what: 'an activations list item is a string',
      op: 'processActivations',
      model: Activations,
      path: ['activations', 1],
      value: 'a',
      failure: 'activations:isObject',
    },
    {
      what: 'a tags item is a boolean',
      op: 'getOffers',
      model: UserOffers,
      path: ['offers', 0, 'tags'],
      value: ['Westpac', true],
      failure: 'offers.0.tags:isString',
    },
    {
      what: 'a redemptionIssuerICAs value is a numeric string',
      op: 'browseOffers',
      model: BrowseOffers,
      path: ['offers', 0, 'redemptionIssuerICAs', 'values'],
      value: ['8787'],
      failure: 'offers.0.redemptionIssuerICAs.values:isInt',
    },
    {
      what: 'assignments[].active is the string "true"',
      op: 'getOffers',
      model: UserOffers,
      path: ['offers', 0, 'assignments', 0, 'active'],
      value: 'true',
      failure: 'offers.0.assignments.0.active:isBoolean',
    },
    {
      what: 'test is the string "false"',
      op: 'getOffer',
      model: OfferDetails,
      path: ['userOfferDetails', 'test'],
      value: 'false',
      failure: 'userOfferDetails.test:isBoolean',
    },
    {
      what: 'transactionInstallmentPayment is the number 1',
      op: 'getAdjustments',
      model: AdminAdjustments,
      path: ['adjustments', 0, 'transactionInstallmentPayment'],
      value: 1,
      failure: 'adjustments.0.transactionInstallmentPayment:isBoolean',
    },
    {
      what: 'userOfferDetails is a string',
      op: 'getOffer',
      model: OfferDetails,
      path: ['userOfferDetails'],
      value: 'offer',
      failure: 'userOfferDetails:isObject',
    },
    {
      what: 'savings is an array',
      op: 'getUserPresentmentSavings',
      model: UserPresentmentSavings,
      path: ['savings'],
      value: [{ potentialCash: 1 }],
      failure: 'savings:isObject',
    },
    { what: 'status is a number', op: 'getAdjustments', model: AdminAdjustments, path: ['status'], value: 200, failure: 'status:isObject' },
  ];

  it.each(cases)('$what: fails at exactly $failure', ({ op, model, path, value, failure }) => {
    expect(parse(model, example200(op)).failures).toEqual([]);
    const { failures } = parse(model, withValue(example200(op), path, value));
    expect(failures).toContain(failure);
    const property = failure.slice(0, failure.indexOf(':'));
    // Nothing fails outside that property (a bad list item also reports `offers.1:nestedValidation`, under it).
    expect(failures.filter((f) => !f.startsWith(`${property}:`) && !f.startsWith(`${property}.`))).toEqual([]);
  });
});
