import { AuthInfoCryptoService, AuthInfoKeyMaterial } from 'nestjs-personalized-offers';
import { PersonalizedOffersSimulator } from 'nestjs-personalized-offers/testing';

/** The simulator's own contract, over plain HTTP, as users' tests would rely on it. */
describe('PersonalizedOffersSimulator', () => {
  const nowMs = 1_800_000_000_000;
  const simulator = new PersonalizedOffersSimulator({ fIds: ['999999', '123456'], now: () => nowMs, maxClockSkewSeconds: 60 });
  const crypto = (fId: string, authInfo = simulator.authInfo) =>
    new AuthInfoCryptoService(fId, AuthInfoKeyMaterial.from(authInfo), { now: () => nowMs });
  let baseUrl: string;

  beforeAll(async () => {
    ({ baseUrl } = await simulator.start());
  });
  afterAll(() => simulator.stop());

  async function get(query: string): Promise<{ status: number; body: any }> {
    const res = await fetch(`${baseUrl}/usertoken${query}`, { headers: { Accept: 'application/json' } });
    return { status: res.status, body: await res.json() };
  }
  const q = (fId: string, authInfo: string) => `?FId=${encodeURIComponent(fId)}&AuthInfo=${encodeURIComponent(authInfo)}`;

  it('listens on loopback with a base URL ending in /plo/v1', () => {
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/plo\/v1$/);
  });

  it('answers a valid request with the spec-shaped success body', async () => {
    const res = await get(q('999999', crypto('999999').encrypt('user-1')));
    expect(res).toEqual({
      status: 200,
      body: { Response: { Status: { Code: '600', Message: 'Success' }, UserToken: { Token: simulator.tokenFor('999999', 'user-1') } } },
    });
  });

  it('keeps tokens stable per (fId, userId) and distinct across users and fIds', async () => {
    const t = async (fId: string, user: string) => (await get(q(fId, crypto(fId).encrypt(user)))).body.Response.UserToken.Token;
    const a = await t('999999', 'alice');
    expect(await t('999999', 'alice')).toBe(a);
    expect(await t('999999', 'bob')).not.toBe(a);
    expect(await t('123456', 'alice')).not.toBe(a);
  });

  const errorShape = (status: number, description: string) => ({
    status,
    body: { Errors: { Error: [expect.objectContaining({ ReasonCode: String(status), Description: description, Source: expect.any(String) })] } },
  });

  it.each([
    ['no FId', () => `?AuthInfo=${crypto('999999').encrypt('u')}`, 400, 'FId is not provided or Value provided is invalid'],
    ['a lower-case fid name', () => `?fid=999999&AuthInfo=${crypto('999999').encrypt('u')}`, 400, 'FId is not provided or Value provided is invalid'],
    ['an unknown FId', () => q('555555', crypto('555555').encrypt('u')), 400, 'FId is not provided or Value provided is invalid'],
    ['no AuthInfo', () => '?FId=999999', 400, 'AuthInfo is not provided or Value provided is invalid'],
    ['AuthInfo that does not decrypt', () => q('999999', 'ab'.repeat(32)), 401, 'AuthInfo could not be decrypted'],
    ['AuthInfo for another fId', () => q('999999', crypto('123456').encrypt('u')), 401, 'AuthInfo was issued for another FId'],
    ['stale AuthInfo', () => q('999999', crypto('999999').encrypt('u', nowMs / 1000 - 61)), 401, 'AuthInfo time is outside the accepted window'],
    ['future AuthInfo', () => q('999999', crypto('999999').encrypt('u', nowMs / 1000 + 61)), 401, 'AuthInfo time is outside the accepted window'],
  ])('refuses %s in Mastercard’s error shape', async (_, query, status, description) => {
    expect(await get(query())).toEqual(errorShape(status, description));
  });

  it('accepts AuthInfo exactly at the edge of the window', async () => {
    expect((await get(q('999999', crypto('999999').encrypt('u', nowMs / 1000 - 60)))).status).toBe(200);
  });

  it('counts every request it receives', async () => {
    simulator.resetRequestCount();
    await get('?FId=999999');
    await get(q('999999', crypto('999999').encrypt('u')));
    expect(simulator.requestCount).toBe(2);
  });
});
