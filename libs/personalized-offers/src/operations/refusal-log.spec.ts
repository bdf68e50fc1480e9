import { PersonalizedOffersApiError } from '../errors/personalized-offers-api.error.js';
import { RefusalLog, isCredentialRefusal, refusalAdvice } from './refusal-log.js';

const refusal = (status: number, item?: { ReasonCode?: string; Source?: string; Description?: string }, extra: Record<string, unknown> = {}) =>
  new PersonalizedOffersApiError('refused', {
    status,
    errors: item ? [{ reasonCode: item.ReasonCode, source: item.Source, description: item.Description }] : [],
    ...extra,
  });

describe('isCredentialRefusal', () => {
  it.each([
    ['any 401', refusal(401), true],
    ['a 401 from a service', refusal(401, { ReasonCode: 'INVALID_TOKEN', Source: 'plo' }), true],
    ['a 403 from the gateway', refusal(403, { ReasonCode: 'AUTHENTICATION_FAILED', Source: 'Gateway' }), true],
    ['a bare 403 (a terse gateway)', refusal(403), true],
    ['a 403 with a service error (may be about the offer)', refusal(403, { ReasonCode: 'OFFER_NOT_ELIGIBLE', Source: 'offers' }), false],
    ['a 400 INVALID_AUTH_HEADER from the gateway', refusal(400, { ReasonCode: 'INVALID_AUTH_HEADER', Source: 'Gateway' }), true],
    ['a 400 INVALID_BODY_HASH from the gateway', refusal(400, { ReasonCode: 'INVALID_BODY_HASH', Source: 'gateway' }), true],
    ['a 400 request validation from the gateway', refusal(400, { ReasonCode: 'INVALID_REQUEST', Source: 'Gateway' }), false],
    ['a 400 from a service', refusal(400, { ReasonCode: 'AUTHENTICATION_FAILED', Source: 'plo' }), false],
    ['a 404', refusal(404), false],
    ['a 500', refusal(500, { ReasonCode: 'AUTHENTICATION_FAILED', Source: 'Gateway' }), false],
  ])('%s → %s', (_what, error, expected) => {
    expect(isCredentialRefusal(error)).toBe(expected);
  });
});

describe('refusalAdvice', () => {
  it.each([
    ['clock skew measured', refusal(401, {}, { clockSkewSeconds: 600 }), /600 s ahead of this machine's.*oauth\.clockSkewCorrection/],
    ['a timestamp description', refusal(401, { Description: 'oauth_timestamp is more than 300 seconds away' }), /clock \(NTP\)/],
    ['a body hash', refusal(400, { ReasonCode: 'INVALID_BODY_HASH', Source: 'Gateway' }), /body that arrived is not the one signed/],
    ['a nonce reuse', refusal(401, { Description: 'oauth_nonce was already used' }), /nonce was used twice/],
    ['a malformed header', refusal(400, { ReasonCode: 'INVALID_AUTH_HEADER', Source: 'Gateway' }), /Authorization header was missing or malformed/],
    ['no entitlement', refusal(401, { ReasonCode: 'DECLINED', Source: 'Gateway', Description: 'Unauthorized - Access Not Granted' }), /not entitled/],
    [
      'an unknown consumer key',
      refusal(401, { ReasonCode: 'AUTHENTICATION_FAILED', Source: 'Gateway', Description: 'Unauthorized - The consumer key is not known to this gateway.' }),
      /Check oauth\.consumerKey/,
    ],
    [
      'a bad signature',
      refusal(403, { ReasonCode: 'AUTHENTICATION_FAILED', Source: 'Gateway', Description: 'OAuth Signature parameter failed verification.' }),
      /signing key must be the one/,
    ],
    [
      'a service refusing the user credential',
      refusal(401, { ReasonCode: 'INVALID_TOKEN', Source: 'plo' }),
      /refused the user's credential even after it was renewed/,
    ],
    ['nothing to go on', refusal(403), /Check oauth\.consumerKey, the signing key and that the base URL/],
  ])('%s', (_what, error, advice) => {
    expect(refusalAdvice(error)).toMatch(advice);
  });
});

describe('RefusalLog', () => {
  const gatewayRefusal = (reason = 'AUTHENTICATION_FAILED') =>
    refusal(
      401,
      { ReasonCode: reason, Source: 'Gateway', Description: 'Unauthorized - The consumer key is not known to this gateway.' },
      { correlationId: 'corr-1' },
    );

  it('logs the first refusal of a kind with the operation, status, reason, source, description, advice and correlation id', () => {
    const lines: string[] = [];
    new RefusalLog({ warn: (m: string) => lines.push(m) }, () => 0).record('getUserToken', gatewayRefusal());
    expect(lines).toEqual([
      "getUserToken: Mastercard refused the request's credentials (401 AUTHENTICATION_FAILED from the gateway): Unauthorized - The consumer key is not known to this gateway. Check oauth.consumerKey: it must be the consumer key of this environment (sandbox keys against production are refused). Correlation id corr-1.",
    ]);
  });

  it('aggregates identical refusals: one line, then at most one a minute with the count of those not logged', () => {
    const lines: string[] = [];
    let now = 1_000;
    const log = new RefusalLog({ warn: (m: string) => lines.push(m) }, () => now);
    for (let i = 0; i < 5; i++) log.record('getUserToken', gatewayRefusal());
    expect(lines).toHaveLength(1);
    now += 59_999;
    log.record('getUserToken', gatewayRefusal());
    expect(lines).toHaveLength(1);
    now += 1;
    log.record('getUserToken', gatewayRefusal());
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/\(5 more like it in the last minute\)$/);
    now += 60_000;
    log.record('getUserToken', gatewayRefusal());
    expect(lines[2]).not.toMatch(/more like it/);
  });

  it('keeps kinds apart: another operation, status or reason is logged at once', () => {
    const lines: string[] = [];
    const log = new RefusalLog({ warn: (m: string) => lines.push(m) }, () => 0);
    log.record('getUserToken', gatewayRefusal());
    log.record('matchedOffers', gatewayRefusal());
    log.record('getUserToken', gatewayRefusal('DECLINED'));
    log.record('getUserToken', refusal(403));
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe(
      "getUserToken: Mastercard refused the request's credentials (403). Check oauth.consumerKey, the signing key and that the base URL is the environment (sandbox or production) of these credentials.",
    );
  });

  it('names a service as the source when it is not the gateway', () => {
    const lines: string[] = [];
    new RefusalLog({ warn: (m: string) => lines.push(m) }, () => 0).record('matchedOffers', refusal(401, { ReasonCode: 'INVALID_TOKEN', Source: 'plo' }));
    expect(lines[0]).toMatch(/^matchedOffers: Mastercard refused the request's credentials \(401 INVALID_TOKEN from the service \(plo\)\)\. /);
  });
});

describe('refusalAdvice reads the description, not the base string it echoes', () => {
  it('a signature refusal echoing oauth_timestamp and oauth_nonce in its base string is about the signature', () => {
    const error = refusal(403, {
      ReasonCode: 'AUTHENTICATION_FAILED',
      Source: 'Gateway',
      Description: 'OAuth Signature parameter failed verification. Acceptable signature base string: GET&x&oauth_nonce%3Dab%26oauth_timestamp%3D1',
    });
    expect(refusalAdvice(error)).toMatch(/signing key must be the one/);
  });
});
