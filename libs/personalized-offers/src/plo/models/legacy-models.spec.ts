import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { ResponseStatus } from '../../user-token/user-token.response.js';
import {
  DetailedOffer,
  LegacyUserSavings,
  MatchedOffer,
  MatchedOffersResponse,
  MerchantAddress,
  OfferDetailsResponse,
  OfferImage,
  OfferMerchant,
  RedeemedOffer,
  RedeemedOffersResponse,
  RedeemedTransaction,
  StatementCreditActivation,
  StatementCreditActivationResponse,
  UserFeedbackItem,
  UserFeedbackListResponse,
  UserFeedbackResponse,
  UserSavingsResponse,
} from './index.js';

// ---------------------------------------------------------------------------------------------
// The two specs, read from shared/specs (a sibling of the repo root), and a 200-example builder.
// ---------------------------------------------------------------------------------------------

/** js-yaml is only a transitive dev dependency today (see the report); required this way to need no type package. */
const { load: parseYaml } = createRequire(import.meta.url)('js-yaml') as { load: (text: string) => unknown };

const specsDir = new URL('../../../../../../shared/specs/', import.meta.url);

interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  example?: unknown;
}
interface Spec {
  /** Read by method, which a path may not have. */
  paths: Record<string, Partial<Record<string, { responses?: Record<string, { content?: Record<string, { schema: Schema }> }> }>>>;
  /** Looked up by the names in `$ref`s, which may name no schema. */
  components: { schemas: Record<string, Schema | undefined> };
}

const v15 = parseYaml(readFileSync(new URL('personalized-card-linked-offers-v1.5.openapi.yaml', specsDir), 'utf8')) as Spec;
const v13 = JSON.parse(readFileSync(new URL('personalized-offers-v1.3.openapi.json', specsDir), 'utf8')) as Spec;
const specs = { 'v1.5': v15, 'v1.3': v13 } as const;
type Version = keyof typeof specs;

/** Follows `#/components/schemas/…` references. */
function resolve(spec: Spec, schema: Schema): Schema {
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
function exampleOf(spec: Spec, schema: Schema, depth = 0): unknown {
  if (depth > 30) throw new Error('schema nesting too deep (a reference cycle?)');
  const s = resolve(spec, schema);
  if (s.example !== undefined) return s.example;
  if (s.items) {
    const item = exampleOf(spec, s.items, depth + 1);
    return item === undefined ? undefined : [item];
  }
  if (s.properties) {
    const out: Record<string, unknown> = {};
    for (const [key, property] of Object.entries(s.properties)) {
      const value = exampleOf(spec, property, depth + 1);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
  return undefined;
}

/** The example 200 body of one operation. */
function example200(version: Version, method: 'get' | 'post', path: string): Record<string, unknown> {
  const spec = specs[version];
  const paths: Partial<Spec['paths']> = spec.paths; // the spec may not have the path
  const schema = paths[path]?.[method]?.responses?.['200']?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${version} ${method.toUpperCase()} ${path} has no application/json 200 schema`);
  return exampleOf(spec, schema) as Record<string, unknown>;
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

const ok = { Code: '600', Message: 'Success' };

// ---------------------------------------------------------------------------------------------
// 1. Every legacy operation's 200 example, in both spec versions.
// ---------------------------------------------------------------------------------------------

interface Row {
  op: string;
  version: Version;
  method: 'get' | 'post';
  path: string;
  run(json: unknown): { failures: string[]; check: () => void };
}

function row<M extends { Response: object }>(
  op: string,
  version: Version,
  method: 'get' | 'post',
  path: string,
  model: ClassConstructor<M>,
  check: (response: M['Response']) => void,
): Row {
  return {
    op,
    version,
    method,
    path,
    run(json) {
      const { instance, failures } = parse(model, json);
      return { failures, check: () => check(instance.Response) };
    },
  };
}

const rows: Row[] = [
  row('matchedOffers', 'v1.5', 'get', '/plo/v1/matchedoffers', MatchedOffersResponse, (r) => {
    expect(r.Status).toBeInstanceOf(ResponseStatus);
    expect(r.Status.Code).toBe('600');
    expect([r.TotalCount, r.CurrentPage, r.NumberOfPages, r.ItemsPerPage]).toEqual([2, 2, 5, 2]);
    const offers = r.Items?.MatchedOffer;
    expect(Array.isArray(offers) && offers.length).toBe(1);
    const offer = offers![0];
    expect(offer).toBeInstanceOf(MatchedOffer);
    expect(offer.OfferId).toBe('d82e1e7c-c6b9-3b46-acd0-5498731c2838');
    expect(offer.Discount).toBe('10.2');
    expect(offer.MinTotalSpend).toBe('100.0');
    expect(offer.Merchant).toBeInstanceOf(OfferMerchant);
    expect(offer.Merchant?.MerchantDistance).toBe('0.0');
    expect(offer.Merchant?.Addresses?.Address).toEqual([new MerchantAddress()]);
    expect(offer.ScActivation?.ActivationId).toBe('TRU_1000136');
    expect(offer.UserFeedback?.Feedback).toBe('1');
  }),
  row('matchedOffers', 'v1.3', 'get', '/matchedoffers', MatchedOffersResponse, (r) => {
    expect(r.Status.Code).toBe('600'); // the v1.3 example is the number 600
    expect([r.TotalCount, r.CurrentPage, r.NumberOfPages, r.ItemsPerPage]).toEqual([8, 1, 1, 1]);
    const offers = r.Items?.MatchedOffer; // a single object in v1.3
    expect(Array.isArray(offers) && offers.length).toBe(1);
    expect(offers![0]).toBeInstanceOf(MatchedOffer);
    expect(offers![0].OfferId).toBe('c7dcfca7-cf35-36b0-9e67-d4f363d643e0');
    expect(offers![0].Discount).toBe('20'); // the v1.3 example is the number 20
    expect(offers![0].Merchant?.MerchantDistance).toBe('0');
    expect(offers![0].EventEndDate).toBe('2025-10-15T13:50:59.028Z');
  }),
  row('getOfferDetails', 'v1.5', 'get', '/plo/v1/offerdetails', OfferDetailsResponse, (r) => {
    const offer = r.OfferDetails;
    expect(offer).toBeInstanceOf(DetailedOffer);
    expect(offer?.RedemptionType).toBe('ONLINE-INSTORE');
    expect(offer?.OfferMedia?.OfferImages?.map((image) => image.AltText)).toEqual(['Example.com']);
    expect(offer?.OfferMedia?.OfferImages?.[0]).toBeInstanceOf(OfferImage);
    expect(offer?.OfferDisplay?.Category).toBe('DEPARTMENTSTORE');
    expect(offer?.DetailPostpaidCreditOffer?.CashBack).toBe('10.2');
    expect(offer?.DetailPostpaidCreditOffer?.MaxCashback).toBe('99.99');
    expect(offer?.Merchant?.Addresses?.Address).toHaveLength(1);
  }),
  row('getOfferDetails', 'v1.3', 'get', '/offerdetails', OfferDetailsResponse, (r) => {
    const offer = r.OfferDetails;
    expect(offer).toBeInstanceOf(DetailedOffer);
    expect(offer?.OfferMedia?.OfferImages?.map((image) => image.ImageUrl)).toEqual([
      'https://truaxis.mastercard.com/assets/sr/source/billshrink/example_medium.png',
    ]);
    expect(offer?.DetailPostpaidCreditOffer?.CashBack).toBe('10');
    expect(offer?.DetailPostpaidCreditOffer?.MinTransactionAmountToRedeem).toBe('30');
    expect(offer?.OfferDisplay?.DetailedTerms).toMatch(/^Offer is non-transferable/);
  }),
  row('getRedeemedOfferDetails', 'v1.5', 'get', '/plo/v1/redeemedoffers', RedeemedOffersResponse, (r) => {
    expect([r.TotalCount, r.CurrentPage, r.NumberOfPages, r.ItemsPerPage]).toEqual([2, 2, 5, 2]);
    const offers = r.Items?.RedeemedOffer;
    expect(Array.isArray(offers) && offers.length).toBe(1);
    expect(offers![0]).toBeInstanceOf(RedeemedOffer);
    expect(offers![0].ScActivation?.ActivationId).toBe('TRU_1000136');
    const transactions = offers![0].Transactions?.Transaction;
    expect(transactions).toHaveLength(1);
    expect(transactions![0]).toBeInstanceOf(RedeemedTransaction);
    expect(transactions![0].InstallmentPayment).toBe('true');
    expect(transactions![0].RedemptionDate).toBe('09/05/2019');
    expect(transactions![0].CashbackEarned).toBe('5');
  }),
  row('getRedeemedOfferDetails', 'v1.3', 'get', '/redeemedoffers', RedeemedOffersResponse, (r) => {
    expect([r.TotalCount, r.CurrentPage, r.NumberOfPages, r.ItemsPerPage]).toEqual([8, 1, 1, 1]);
    expect(r.Items).not.toHaveProperty('RedemedOffer');
    const offers = r.Items?.RedeemedOffer; // from Items.RedemedOffer, a single object
    expect(Array.isArray(offers) && offers.length).toBe(1);
    const offer = offers![0];
    expect(offer).toBeInstanceOf(RedeemedOffer);
    expect((offer as unknown as Record<string, unknown>).ActivationId).toBe('TRU_1000136'); // unknown field, kept
    expect(offer.MaxUserRedemptions).toBe('1'); // integer in v1.3
    expect(offer.Merchant?.MerchantDistance).toBe('0'); // number in v1.3
    const transactions = offer.Transactions?.Transaction; // a bare transaction object in v1.3
    expect(transactions).toHaveLength(1);
    expect(transactions![0]).toBeInstanceOf(RedeemedTransaction);
    expect(transactions![0].CashBackEarned).toBe('0');
    expect(transactions![0].TransactionAmount).toBe('12');
  }),
  row('getStatementCreditActivationDetail', 'v1.5', 'get', '/plo/v1/statementcreditactivationdetail', StatementCreditActivationResponse, (r) => {
    expect(r.ScActivation).toBeInstanceOf(StatementCreditActivation);
    expect(r.ScActivation?.Merchant).toBe('Example.com');
    expect(r.ScActivation?.CashBack).toBe('10');
    expect(r.ScActivation?.TotalSpend).toBe('1.99');
    expect(r.ScActivation?.RemainingVisits).toBe('5');
  }),
  row('getStatementCreditActivationDetail', 'v1.3', 'get', '/statementcreditactivationdetail', StatementCreditActivationResponse, (r) => {
    expect(r.ScActivation).toBeInstanceOf(StatementCreditActivation);
    expect(r.ScActivation?.Merchant).toBe('Example.com');
    expect(r.ScActivation?.DaysRemaining).toBe('13');
    expect(r.ScActivation?.RemainingSpend).toBe('30');
  }),
  row('getUserSavings', 'v1.5', 'get', '/plo/v1/usersavings', UserSavingsResponse, (r) => {
    expect(r.UserSavings).toBeInstanceOf(LegacyUserSavings);
    expect(r.UserSavings?.savings).toEqual(
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
  row('getUserSavings', 'v1.3', 'get', '/usersavings', UserSavingsResponse, (r) => {
    expect(r.UserSavings?.TotalAmountSaved).toBe('21');
    expect(r.UserSavings?.TotalOffersUsed).toBe('1');
    expect(r.UserSavings?.StatementCreditOffersSavings?.PotentialSavings).toBe('195');
    expect(r.UserSavings?.PrepaidOfferSavings?.NumPurchased).toBe('0');
  }),
  row('getUserFeedback', 'v1.5', 'get', '/plo/v1/userfeedback', UserFeedbackListResponse, (r) => {
    expect([r.TotalCount, r.CurrentPage, r.NumberOfPages, r.ItemsPerPage]).toEqual([1, 2, 5, 2]);
    const items = r.Items?.UserFeedback;
    expect(Array.isArray(items) && items.length).toBe(1);
    expect(items![0]).toBeInstanceOf(UserFeedbackItem);
    expect(items![0]).toEqual(expect.objectContaining({ OfferId: 'c7dcfca7-cf35-36Us-erFe-edbackOutput', Feedback: '1' }));
  }),
  row('activateStatementCreditOffer', 'v1.5', 'post', '/plo/v2/activatestatementcreditoffer', StatementCreditActivationResponse, (r) => {
    expect(r.ScActivation).toBeInstanceOf(StatementCreditActivation);
    expect(r.ScActivation?.Status).toBe('ACTIVATED');
    expect(r.ScActivation?.OfferId).toBe('c7dcfca7-cf35-stat-emen-tcreditOffer');
    expect(r.ScActivation?.RedemptionStartDate).toBe('2020-11-12');
  }),
  row('sendUserFeedback', 'v1.5', 'post', '/plo/v2/userfeedback', UserFeedbackResponse, (r) => {
    expect(r.UserFeedback).toBeInstanceOf(UserFeedbackItem);
    expect(r.UserFeedback).toEqual(expect.objectContaining({ OfferId: 'c7dcfca7-cf35-36Us-erFe-edbackOutput', Feedback: '1' }));
  }),
  row('activatestatementcreditoffer (v1.3 POST)', 'v1.3', 'post', '/activatestatementcreditoffer', StatementCreditActivationResponse, (r) => {
    expect(r.Status.Code).toBe('600');
    expect(r.ScActivation?.ActivationId).toBe('TRU_1000136');
    expect(r.ScActivation?.CashBack).toBe('0');
  }),
  row('userfeedback (v1.3 POST)', 'v1.3', 'post', '/userfeedback', UserFeedbackResponse, (r) => {
    expect(r.UserFeedback).toBeInstanceOf(UserFeedbackItem);
    expect(r.UserFeedback?.Feedback).toBe('1'); // the v1.3 example is the number 1
    expect(r.UserFeedback?.OfferId).toBe('c7dcfca7-cf35-36b0-9e67-d4f363d643e0');
  }),
];

describe('legacy response models against the spec examples', () => {
  it('has one row for every legacy operation of both specs except the user token', () => {
    const listed = (version: Version, prefix: string) =>
      Object.entries(specs[version].paths).flatMap(([path, methods]) =>
        path.startsWith(prefix) && !path.endsWith('/usertoken') ? Object.keys(methods).map((method) => `${version} ${method} ${path}`) : [],
      );
    const expected = [...listed('v1.5', '/plo/'), ...listed('v1.3', '/')].sort();
    expect(rows.map((r) => `${r.version} ${r.method} ${r.path}`).sort()).toEqual(expected);
    expect(expected).toHaveLength(15);
  });

  it.each(rows)('$op ($version $method $path): the 200 example parses with no validation errors into normalized values', (r) => {
    const json = example200(r.version, r.method, r.path);
    const { failures, check } = r.run(json);
    expect(failures).toEqual([]);
    check();
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Tolerance rules, one by one.
// ---------------------------------------------------------------------------------------------

describe('a list that arrives as a single object', () => {
  const cases: Array<{
    field: string;
    model: ClassConstructor<{ Response: object }>;
    json: unknown;
    list: (r: never) => unknown;
    cls: ClassConstructor<object>;
    marker: Record<string, string>;
  }> = [
    {
      field: 'Items.MatchedOffer',
      model: MatchedOffersResponse,
      json: { Response: { Status: ok, Items: { MatchedOffer: { OfferId: 'o1' } } } },
      list: (r: MatchedOffersResponse['Response']) => r.Items?.MatchedOffer,
      cls: MatchedOffer,
      marker: { OfferId: 'o1' },
    },
    {
      field: 'Items.RedeemedOffer',
      model: RedeemedOffersResponse,
      json: { Response: { Status: ok, Items: { RedeemedOffer: { OfferId: 'r1' } } } },
      list: (r: RedeemedOffersResponse['Response']) => r.Items?.RedeemedOffer,
      cls: RedeemedOffer,
      marker: { OfferId: 'r1' },
    },
    {
      field: 'Items.UserFeedback',
      model: UserFeedbackListResponse,
      json: { Response: { Status: ok, Items: { UserFeedback: { OfferId: 'f1', Feedback: '0' } } } },
      list: (r: UserFeedbackListResponse['Response']) => r.Items?.UserFeedback,
      cls: UserFeedbackItem,
      marker: { OfferId: 'f1', Feedback: '0' },
    },
    {
      field: 'Items.MatchedOffer[].Merchant.Addresses.Address',
      model: MatchedOffersResponse,
      json: { Response: { Status: ok, Items: { MatchedOffer: [{ Merchant: { Addresses: { Address: { Street: 'Main St' } } } }] } } },
      list: (r: MatchedOffersResponse['Response']) => r.Items?.MatchedOffer?.[0]?.Merchant?.Addresses?.Address,
      cls: MerchantAddress,
      marker: { Street: 'Main St' },
    },
    {
      field: 'OfferDetails.Merchant.Addresses.Address',
      model: OfferDetailsResponse,
      json: { Response: { Status: ok, OfferDetails: { Merchant: { Addresses: { Address: { Latitude: '1.5' } } } } } },
      list: (r: OfferDetailsResponse['Response']) => r.OfferDetails?.Merchant?.Addresses?.Address,
      cls: MerchantAddress,
      marker: { Latitude: '1.5' },
    },
    {
      field: 'OfferDetails.OfferMedia.OfferImages',
      model: OfferDetailsResponse,
      json: { Response: { Status: ok, OfferDetails: { OfferMedia: { OfferImages: { ImageUrl: 'https://x/logo.png' } } } } },
      list: (r: OfferDetailsResponse['Response']) => r.OfferDetails?.OfferMedia?.OfferImages,
      cls: OfferImage,
      marker: { ImageUrl: 'https://x/logo.png' },
    },
    {
      field: 'Items.RedeemedOffer[].OfferMedia.OfferImages',
      model: RedeemedOffersResponse,
      json: { Response: { Status: ok, Items: { RedeemedOffer: [{ OfferMedia: { OfferImages: { AltText: 'logo' } } }] } } },
      list: (r: RedeemedOffersResponse['Response']) => r.Items?.RedeemedOffer?.[0]?.OfferMedia?.OfferImages,
      cls: OfferImage,
      marker: { AltText: 'logo' },
    },
    {
      field: 'Items.RedeemedOffer[].Transactions.Transaction',
      model: RedeemedOffersResponse,
      json: { Response: { Status: ok, Items: { RedeemedOffer: [{ Transactions: { Transaction: { TransactionAmount: '200' } } }] } } },
      list: (r: RedeemedOffersResponse['Response']) => r.Items?.RedeemedOffer?.[0]?.Transactions?.Transaction,
      cls: RedeemedTransaction,
      marker: { TransactionAmount: '200' },
    },
  ];

  it.each(cases)('$field: becomes a one-element array holding that object as a model instance', ({ model, json, list, cls, marker }) => {
    const { instance, failures } = parse(model, json);
    expect(failures).toEqual([]);
    const value = list(instance.Response as never) as unknown[];
    expect(Array.isArray(value)).toBe(true);
    expect(value).toHaveLength(1);
    expect(value[0]).toBeInstanceOf(cls);
    expect(value[0]).toEqual(expect.objectContaining(marker));
  });

  it('Items.MatchedOffer: a two-element array stays two elements, in order', () => {
    const { instance, failures } = parse(MatchedOffersResponse, { Response: { Status: ok, Items: { MatchedOffer: [{ OfferId: 'a' }, { OfferId: 'b' }] } } });
    expect(failures).toEqual([]);
    expect(instance.Response.Items?.MatchedOffer?.map((offer) => offer.OfferId)).toEqual(['a', 'b']);
  });

  it('a bare v1.3 Transactions object becomes Transactions.Transaction[0] and keeps CashBackEarned as sent (number → string)', () => {
    const json = { Response: { Status: ok, Items: { RedeemedOffer: { Transactions: { CashBackEarned: 5, PointsEarned: '0' } } } } };
    const { instance, failures } = parse(RedeemedOffersResponse, json);
    expect(failures).toEqual([]);
    const transactions = instance.Response.Items?.RedeemedOffer?.[0]?.Transactions;
    expect(transactions).not.toHaveProperty('CashBackEarned');
    expect(transactions?.Transaction).toEqual([expect.objectContaining({ CashBackEarned: '5', PointsEarned: '0' })]);
    expect(transactions?.Transaction?.[0]).toBeInstanceOf(RedeemedTransaction);
  });

  it('an empty Transactions object stays an empty wrapper (no phantom transaction)', () => {
    const { instance, failures } = parse(RedeemedOffersResponse, { Response: { Status: ok, Items: { RedeemedOffer: [{ Transactions: {} }] } } });
    expect(failures).toEqual([]);
    expect(instance.Response.Items?.RedeemedOffer?.[0]?.Transactions?.Transaction).toBeUndefined();
  });

  it('v1.3 Items.RedemedOffer (one "e") is moved to Items.RedeemedOffer and the misspelled key is dropped', () => {
    const json = { Response: { Status: ok, Items: { RedemedOffer: [{ OfferId: 'a' }, { OfferId: 'b' }], Other: 'kept' } } };
    const { instance, failures } = parse(RedeemedOffersResponse, json);
    expect(failures).toEqual([]);
    expect(instance.Response.Items?.RedeemedOffer?.map((offer) => offer.OfferId)).toEqual(['a', 'b']);
    expect(instance.Response.Items?.RedeemedOffer?.[1]).toBeInstanceOf(RedeemedOffer);
    expect(instance.Response.Items).not.toHaveProperty('RedemedOffer');
    expect((instance.Response.Items as unknown as Record<string, unknown>).Other).toBe('kept');
  });

  it('when both Items.RedeemedOffer and Items.RedemedOffer are sent, RedeemedOffer is the list', () => {
    const json = { Response: { Status: ok, Items: { RedeemedOffer: { OfferId: 'new' }, RedemedOffer: { OfferId: 'old' } } } };
    const { instance, failures } = parse(RedeemedOffersResponse, json);
    expect(failures).toEqual([]);
    expect(instance.Response.Items?.RedeemedOffer?.map((offer) => offer.OfferId)).toEqual(['new']);
  });
});

describe('unknown fields', () => {
  it('are kept, with their values, on the Response, Status, an offer, its Merchant and a transaction', () => {
    const json = {
      Response: {
        Status: { ...ok, TraceId: 't-1' },
        NewTopLevel: { nested: [1, 2] },
        Items: {
          RedeemedOffer: [
            {
              OfferId: 'o',
              ActivationId: 'TRU_1',
              FutureFlag: true,
              Merchant: { Name: 'M', Rating: 4.5 },
              Transactions: { Transaction: [{ TransactionAmount: '1', Channel: 'ONLINE' }] },
            },
          ],
        },
      },
    };
    const { instance, failures } = parse(RedeemedOffersResponse, json);
    expect(failures).toEqual([]);
    const response = instance.Response as unknown as Record<string, unknown>;
    expect(response.NewTopLevel).toEqual({ nested: [1, 2] });
    expect((instance.Response.Status as unknown as Record<string, unknown>).TraceId).toBe('t-1');
    const offer = instance.Response.Items!.RedeemedOffer![0] as unknown as Record<string, unknown>;
    expect(offer.ActivationId).toBe('TRU_1');
    expect(offer.FutureFlag).toBe(true);
    expect((instance.Response.Items!.RedeemedOffer![0].Merchant as unknown as Record<string, unknown>).Rating).toBe(4.5);
    expect((instance.Response.Items!.RedeemedOffer![0].Transactions!.Transaction![0] as unknown as Record<string, unknown>).Channel).toBe('ONLINE');
  });
});

describe('null fields', () => {
  it('null counters, lists, nested objects and strings validate and read back as undefined', () => {
    const json = {
      Response: {
        Status: { Code: '600', Message: null },
        TotalCount: null,
        CurrentPage: null,
        Items: { MatchedOffer: [{ OfferId: 'x', Headline: null, Merchant: null, ScActivation: null, UserFeedback: { OfferId: 'x', Feedback: null } }] },
      },
    };
    const { instance, failures } = parse(MatchedOffersResponse, json);
    expect(failures).toEqual([]);
    expect(instance.Response.TotalCount).toBeUndefined();
    expect(instance.Response.CurrentPage).toBeUndefined();
    const offer = instance.Response.Items!.MatchedOffer![0];
    expect(offer.OfferId).toBe('x');
    expect(offer.Headline).toBeUndefined();
    expect(offer.Merchant).toBeUndefined();
    expect(offer.ScActivation).toBeUndefined();
    expect(offer.UserFeedback?.Feedback).toBeUndefined();
  });

  it('a null list (Items.MatchedOffer) and a null wrapper (Items) validate and read back as undefined', () => {
    const list = parse(MatchedOffersResponse, { Response: { Status: ok, Items: { MatchedOffer: null } } });
    expect(list.failures).toEqual([]);
    expect(list.instance.Response.Items).toBeDefined();
    expect(list.instance.Response.Items?.MatchedOffer).toBeUndefined();
    const wrapper = parse(MatchedOffersResponse, { Response: { Status: ok, Items: null } });
    expect(wrapper.failures).toEqual([]);
    expect(wrapper.instance.Response.Items).toBeUndefined();
  });
});

describe('numbers on the wire', () => {
  it('page counters: digit strings and integers both become numbers', () => {
    const json = { Response: { Status: ok, TotalCount: '12', CurrentPage: 1, NumberOfPages: ' 3 ', ItemsPerPage: '0' } };
    const { instance, failures } = parse(RedeemedOffersResponse, json);
    expect(failures).toEqual([]);
    expect([instance.Response.TotalCount, instance.Response.CurrentPage, instance.Response.NumberOfPages, instance.Response.ItemsPerPage]).toEqual([
      12, 1, 3, 0,
    ]);
  });

  it.each([['abc'], [''], ['2.5'], ['-1'], [2.5], [-1], [true], [{ value: 1 }]])('page counter TotalCount %p is rejected', (value) => {
    const { failures } = parse(UserFeedbackListResponse, { Response: { Status: ok, TotalCount: value } });
    expect(failures.some((failure) => failure.startsWith('Response.TotalCount:'))).toBe(true);
  });

  it('string fields receiving JSON numbers hold their string form (Discount, CashBack, Feedback, MaxUserRedemptions, Status.Code)', () => {
    const matched = parse(MatchedOffersResponse, {
      Response: { Status: { Code: 600 }, Items: { MatchedOffer: { Discount: 10.25, MaxUserRedemptions: 1, UserFeedback: { Feedback: 0 } } } },
    });
    expect(matched.failures).toEqual([]);
    expect(matched.instance.Response.Status.Code).toBe('600');
    const offer = matched.instance.Response.Items!.MatchedOffer![0];
    expect([offer.Discount, offer.MaxUserRedemptions, offer.UserFeedback?.Feedback]).toEqual(['10.25', '1', '0']);
    const activation = parse(StatementCreditActivationResponse, { Response: { Status: ok, ScActivation: { CashBack: 10, PointsEarned: 1.3 } } });
    expect(activation.failures).toEqual([]);
    expect([activation.instance.Response.ScActivation?.CashBack, activation.instance.Response.ScActivation?.PointsEarned]).toEqual(['10', '1.3']);
  });

  it('string fields holding numbers as strings keep the exact text ("30.0" stays "30.0", "true" stays "true")', () => {
    const json = {
      Response: {
        Status: ok,
        Items: { RedeemedOffer: { MinTotalSpend: '30.0', Transactions: { Transaction: { InstallmentPayment: 'true', TransactionAmount: '0200' } } } },
      },
    };
    const { instance, failures } = parse(RedeemedOffersResponse, json);
    expect(failures).toEqual([]);
    const offer = instance.Response.Items!.RedeemedOffer![0];
    expect(offer.MinTotalSpend).toBe('30.0');
    expect(offer.Transactions?.Transaction?.[0]).toEqual(expect.objectContaining({ InstallmentPayment: 'true', TransactionAmount: '0200' }));
  });
});

describe('user savings accepts both legacy shapes', () => {
  it('the v1.5 camelCase savings numbers and the v1.3 PascalCase strings in one body', () => {
    const json = {
      Response: {
        Status: ok,
        UserSavings: {
          savings: { adjustmentsCashTotal: 1.5, offersRedeemed: 2 },
          TotalAmountSaved: '3.00',
          StatementCreditOffersSavings: { EarnedCashback: 4 },
        },
      },
    };
    const { instance, failures } = parse(UserSavingsResponse, json);
    expect(failures).toEqual([]);
    expect(instance.Response.UserSavings?.savings?.adjustmentsCashTotal).toBe(1.5);
    expect(instance.Response.UserSavings?.savings?.offersRedeemed).toBe(2);
    expect(instance.Response.UserSavings?.TotalAmountSaved).toBe('3.00');
    expect(instance.Response.UserSavings?.StatementCreditOffersSavings?.EarnedCashback).toBe('4');
  });
});

describe('wrong shapes are rejected', () => {
  const status = ok;
  const cases: Array<{ what: string; model: ClassConstructor<object>; json: unknown; failure: string }> = [
    { what: 'Response is a string', model: MatchedOffersResponse, json: { Response: 'nope' }, failure: 'Response:isObject' },
    { what: 'Response is a number', model: OfferDetailsResponse, json: { Response: 600 }, failure: 'Response:isObject' },
    { what: 'Response is an array', model: UserSavingsResponse, json: { Response: [{ Status: status }] }, failure: 'Response:isObject' },
    { what: 'Response is null', model: UserFeedbackResponse, json: { Response: null }, failure: 'Response:isDefined' },
    {
      what: 'Response is missing (an error body on a 200)',
      model: StatementCreditActivationResponse,
      json: { Errors: { Error: [] } },
      failure: 'Response:isDefined',
    },
    { what: 'Status is missing', model: MatchedOffersResponse, json: { Response: { TotalCount: '1' } }, failure: 'Response.Status:isDefined' },
    { what: 'Status is a string', model: RedeemedOffersResponse, json: { Response: { Status: '600' } }, failure: 'Response.Status:isObject' },
    {
      what: 'Status.Code is missing while Status is present',
      model: UserFeedbackListResponse,
      json: { Response: { Status: { Message: 'Success' } } },
      failure: 'Response.Status.Code:isString',
    },
    {
      what: 'Status.Code is an empty string',
      model: UserSavingsResponse,
      json: { Response: { Status: { Code: '' } } },
      failure: 'Response.Status.Code:isNotEmpty',
    },
    {
      what: 'Items is an array',
      model: MatchedOffersResponse,
      json: { Response: { Status: status, Items: [{ MatchedOffer: [] }] } },
      failure: 'Response.Items:isObject',
    },
    {
      what: 'a MatchedOffer list item is a number',
      model: MatchedOffersResponse,
      json: { Response: { Status: status, Items: { MatchedOffer: [{ OfferId: 'a' }, 5] } } },
      failure: 'Response.Items.MatchedOffer:isObject',
    },
    {
      what: 'a single MatchedOffer is a string',
      model: MatchedOffersResponse,
      json: { Response: { Status: status, Items: { MatchedOffer: 'offer' } } },
      failure: 'Response.Items.MatchedOffer:isObject',
    },
    {
      what: 'a UserFeedback list item is a nested array',
      model: UserFeedbackListResponse,
      json: { Response: { Status: status, Items: { UserFeedback: [[{ OfferId: 'a' }]] } } },
      failure: 'Response.Items.UserFeedback:isObject',
    },
    {
      what: 'a string field (Headline) holds an object',
      model: MatchedOffersResponse,
      json: { Response: { Status: status, Items: { MatchedOffer: { Headline: { text: 'x' } } } } },
      failure: 'Response.Items.MatchedOffer.0.Headline:isString',
    },
    {
      what: 'a string field (Feedback) holds a boolean',
      model: UserFeedbackResponse,
      json: { Response: { Status: status, UserFeedback: { Feedback: true } } },
      failure: 'Response.UserFeedback.Feedback:isString',
    },
    {
      what: 'an offer Merchant is a string',
      model: OfferDetailsResponse,
      json: { Response: { Status: status, OfferDetails: { Merchant: 'Example.com' } } },
      failure: 'Response.OfferDetails.Merchant:isObject',
    },
    {
      what: 'the ScActivation Merchant is an object',
      model: StatementCreditActivationResponse,
      json: { Response: { Status: status, ScActivation: { Merchant: { Name: 'Example.com' } } } },
      failure: 'Response.ScActivation.Merchant:isString',
    },
    {
      what: 'a transaction amount is an array',
      model: RedeemedOffersResponse,
      json: { Response: { Status: status, Items: { RedeemedOffer: { Transactions: { TransactionAmount: ['1'] } } } } },
      failure: 'Response.Items.RedeemedOffer.0.Transactions.Transaction.0.TransactionAmount:isString',
    },
    {
      what: 'a v1.5 savings amount is a string',
      model: UserSavingsResponse,
      json: { Response: { Status: status, UserSavings: { savings: { potentialCash: '195.12' } } } },
      failure: 'Response.UserSavings.savings.potentialCash:isNumber',
    },
  ];

  it.each(cases)('$what: fails validation at $failure', ({ model, json, failure }) => {
    expect(parse(model, json).failures).toContain(failure);
  });
});
