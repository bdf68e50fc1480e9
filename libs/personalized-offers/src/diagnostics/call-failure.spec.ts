import { PersonalizedOffersApiError } from '../errors/personalized-offers-api.error.js';
import { PersonalizedOffersInvalidResponseError } from '../errors/personalized-offers-invalid-response.error.js';
import { PersonalizedOffersNetworkError } from '../errors/personalized-offers-network.error.js';
import { PersonalizedOffersUnavailableError } from '../errors/personalized-offers-unavailable.error.js';
import { describeCallFailure, describeGatewayRefusal, shortDescription } from './call-failure.js';
import { describeNetworkFailure } from './network-failure.js';

const context = { host: 'sandbox.api.mastercard.com', proxy: 'direct', maskedConsumerKey: '…0000' };
// The gateway's echo, as real refusals carry it (GATEWAY-ERRORS.md §3): it names oauth_consumer_key and oauth_body_hash.
const SBS =
  'GET&https%3A%2F%2Fsandbox.api.mastercard.com%2Floyalty%2Foffers%2Fplatform-admin%2Foffers&f_id%3D[redacted]%26limit%3D1%26oauth_body_hash%3D47DEQpj8HBSa%252B%252FTImW%26oauth_consumer_key%3D[redacted]%26oauth_nonce%3Dabc%26oauth_signature_method%3DRSA-SHA256%26oauth_timestamp%3D1638619140%26oauth_version%3D1.0';

const gateway = (status: number, reasonCode: string, description: string) =>
  new PersonalizedOffersApiError('refused', { status, errors: [{ source: 'Gateway', reasonCode, description, recoverable: false }], correlationId: 'corr-1' });

describe('the doctor decodes gateway refusals (GATEWAY-ERRORS.md) into what to fix', () => {
  it.each([
    [
      'a signature failure (2023–24 text, with the echoed base string)',
      403,
      'AUTHENTICATION_FAILED',
      `OAuth Signature parameter failed verification. Acceptable signature base string: ${SBS}`,
      /^signature refused: the gateway knows consumer key …0000/,
      /signing key is not the one registered/,
    ],
    [
      'a signature failure (2021 text)',
      403,
      'AUTHENTICATION_FAILED',
      `OAuth signatures did not match. Acceptable signature base string: ${SBS}`,
      /^signature refused/,
      /\.p12/,
    ],
    [
      'the documented INVALID_SIGNATURE code',
      401,
      'INVALID_SIGNATURE',
      'The request signature does not match the expected one.',
      /^signature refused/,
      /signing key/,
    ],
    [
      'an unknown consumer key',
      401,
      'AUTHENTICATION_FAILED',
      'Unauthorized - The consumer key is not known to this gateway.',
      /^consumer key …0000 refused: the gateway does not know it/,
      /PLO_OAUTH_CONSUMER_KEY.*sandbox keys work only on sandbox/,
    ],
    [
      'a stale timestamp',
      401,
      'AUTHENTICATION_FAILED',
      "Unauthorized - oauth_timestamp is more than 300 seconds away from the gateway's clock",
      /^clock: the gateway refused the request's oauth_timestamp/,
      /NTP/,
    ],
    ['a replayed nonce', 401, 'AUTHENTICATION_FAILED', 'Unauthorized - oauth_nonce was already used', /oauth_nonce before/, /signed afresh/],
    [
      'a body hash mismatch (2024 text)',
      400,
      'INVALID_BODY_HASH',
      'Bad Request - The provided oauth_body_hash does not match the RSA-SHA256 hash of the request payload. Calculated: x++p2Pkn=, Received: Lpxc%3D',
      /^body hash refused/,
      /re-encodes request bodies/,
    ],
    ['a body hash problem without a code (legacy)', 400, '', 'Incorrect oauth_body_hash.', /^body hash refused/, /re-encodes/],
    [
      'a missing header parameter',
      400,
      'INVALID_AUTH_HEADER',
      'Bad Request - The Authorization header lacks oauth_body_hash.',
      /^the gateway found no valid OAuth Authorization header/,
      /strips or rewrites the Authorization header/,
    ],
    [
      'no entitlement',
      401,
      'DECLINED',
      'Unauthorized - Access Not Granted',
      /accepted the consumer key and the signature, but this project is not entitled/,
      /request access/,
    ],
    [
      'a 401 that says nothing',
      401,
      'AUTHENTICATION_FAILED',
      '',
      /^the gateway refused the credentials \(401 AUTHENTICATION_FAILED\)$/,
      /same project and to this environment/,
    ],
  ])('%s', (_case, status, code, description, detail, remedy) => {
    const advice = describeGatewayRefusal(status, { source: 'Gateway', reasonCode: code, description }, context);
    expect(advice.detail).toMatch(detail);
    expect(advice.remedy).toMatch(remedy);
    // Never the echoed base string or hashes.
    expect(advice.detail).not.toMatch(/Acceptable signature base string|oauth_nonce%3D|Calculated:|x\+\+p2Pkn/);
  });

  it('without signing, a missing Authorization header says to configure signing', () => {
    const advice = describeGatewayRefusal(
      400,
      { source: 'Gateway', reasonCode: 'INVALID_AUTH_HEADER', description: 'Bad Request - Authorization header missing.' },
      { host: 'h', proxy: 'direct' },
    );
    expect(advice.remedy).toMatch(/^configure request signing: PLO_OAUTH_CONSUMER_KEY and PLO_OAUTH_KEY_FILE/);
  });

  it('a clock skew the module measured on the refusal is said with its direction', () => {
    const advice = describeGatewayRefusal(
      401,
      { source: 'Gateway', reasonCode: 'AUTHENTICATION_FAILED', description: 'Unauthorized - oauth_timestamp too old' },
      context,
      -420,
    );
    expect(advice.detail).toContain("the gateway's clock is 420 s behind this machine's");
  });

  it('describeCallFailure adds the correlation id to a gateway refusal', () => {
    const advice = describeCallFailure(gateway(403, 'AUTHENTICATION_FAILED', 'OAuth signatures did not match.'), context);
    expect(advice.detail).toMatch(/^signature refused.*\[correlation id corr-1\]$/);
  });

  it('a refusal by the API (not the gateway) says the signature was accepted and points at the fId', () => {
    const error = new PersonalizedOffersApiError('bad', {
      status: 400,
      errors: [
        {
          source: 'com.mastercard.offers.management.api.filter.ShardAwareFilter',
          reasonCode: '400',
          description: 'FId is not provided or Value provided is invalid',
        },
      ],
    });
    const advice = describeCallFailure(error, context);
    expect(advice.detail).toBe(
      'the gateway accepted the consumer key and the signature, but the API refused the call (400: "FId is not provided or Value provided is invalid")',
    );
    expect(advice.remedy).toMatch(/^check PLO_FID/);
  });

  it('a 5xx says the credentials got through', () => {
    const advice = describeCallFailure(new PersonalizedOffersApiError('down', { status: 503, errors: [] }), context);
    expect(advice.detail).toMatch(/^the gateway passed the request on, but the API failed \(503\)/);
  });

  it('a 401 without the gateway source is still a credentials problem', () => {
    const advice = describeCallFailure(new PersonalizedOffersApiError('no', { status: 401, errors: [] }), context);
    expect(advice.detail).toMatch(/^refused \(401\) without the gateway's reason/);
  });

  it('a network error is decoded from its code; the breaker and an answer that is not the API are said so', () => {
    const cause = Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
    expect(describeCallFailure(new PersonalizedOffersNetworkError('x', { timedOut: false, cause }), context).detail).toMatch(
      /^DNS: the name sandbox\.api\.mastercard\.com does not resolve/,
    );
    expect(describeCallFailure(new PersonalizedOffersUnavailableError(), context).detail).toMatch(/circuit breaker is open/);
    expect(describeCallFailure(new PersonalizedOffersInvalidResponseError('not JSON', { status: 200 }), context).detail).toMatch(
      /^the host answered, but not as the Personalized Offers API does/,
    );
  });
});

describe('network failures in words', () => {
  it.each([
    ['ENOTFOUND', /^DNS: the name api\.mastercard\.com does not resolve/, /HTTPS_PROXY/],
    ['EAI_AGAIN', /^DNS: the lookup/, /DNS/],
    ['ECONNREFUSED', /refused the connection/, /PLO_BASE_URL/],
    ['UND_ERR_CONNECT_TIMEOUT', /no answer .* within the timeout/, /firewall/],
    ['ETIMEDOUT', /within the timeout/, /egress/],
    ['ECONNRESET', /cut before an answer/, /firewall, proxy/],
    ['SELF_SIGNED_CERT_IN_CHAIN', /^TLS: the certificate presented for api\.mastercard\.com is not trusted/, /http\.ca/],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', /^TLS: .*not trusted/, /NODE_EXTRA_CA_CERTS/],
    ['ERR_TLS_CERT_ALTNAME_INVALID', /^TLS: the certificate presented is not for/, /captive portal/],
    ['ERR_SSL_WRONG_VERSION_NUMBER', /^TLS: the handshake/, /plain-http port/],
    ['UND_ERR_ABORTED', /did not open a tunnel/, /407/],
    ['EWHATEVER', /failed before any answer \(EWHATEVER\)/, /proxy/],
  ])('%s', (code, what, remedy) => {
    const advice = describeNetworkFailure(code, 'api.mastercard.com', 'direct');
    expect(advice.what).toMatch(what);
    expect(advice.remedy).toMatch(remedy);
  });

  it('names the proxy the request went through', () => {
    expect(describeNetworkFailure('ECONNRESET', 'api.mastercard.com', 'proxy egress.bank:3128').what).toContain('(through proxy egress.bank:3128)');
  });
});

describe('shortDescription', () => {
  it('drops the echoed base string and hashes, and the trailing period', () => {
    expect(shortDescription(`OAuth signatures did not match. Acceptable signature base string: ${SBS}`)).toBe('OAuth signatures did not match');
    expect(shortDescription('Bad Request - The provided oauth_body_hash does not match. Calculated: abc=, Received: def=')).toBe(
      'Bad Request - The provided oauth_body_hash does not match',
    );
    expect(shortDescription(undefined)).toBe('');
    expect(shortDescription('x'.repeat(500))).toHaveLength(200);
  });
});
