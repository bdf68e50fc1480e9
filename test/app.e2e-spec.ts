import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { PersonalizedOffersSimulator } from 'nestjs-personalized-offers/testing';
import { AppModule } from '../src/app.module.js';

async function startApp(env: NodeJS.ProcessEnv): Promise<{ app: INestApplication; url: string }> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(env)] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: `${await app.getUrl()}/user-token`.replace('[::1]', '127.0.0.1') };
}

describe('example app on the embedded simulator (no PLO_* variables)', () => {
  let app: INestApplication;
  let url: string;
  beforeAll(async () => {
    ({ app, url } = await startApp({}));
  });
  afterAll(() => app.close());

  it('returns the demo user’s session token, the same on every call', async () => {
    const headers = { 'X-Demo-User-Id': '1PCLOSANDBOXBCN00002tra6athatR' };
    const first = await fetch(url, { headers });
    expect(first.status).toBe(200);
    const body = (await first.json()) as { token: string };
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await (await fetch(url, { headers })).json()).toEqual(body);
  });

  it('refuses a request without the demo authentication header', async () => {
    expect((await fetch(url)).status).toBe(401);
  });

  it('maps an unusable user id to 400 without echoing it', async () => {
    const res = await fetch(url, { headers: { 'X-Demo-User-Id': 'victim:999999' } });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ statusCode: 400, code: 'INVALID_USER_ID', message: expect.any(String) });
    expect(text).not.toContain('victim');
  });
});

describe('example app configured from PLO_* variables', () => {
  const upstream = new PersonalizedOffersSimulator({ fIds: ['424242'], authInfo: { key: 'A'.repeat(22) + '==', mode: 'ecb', encoding: 'base64url' } });
  let app: INestApplication;
  let url: string;
  beforeAll(async () => {
    const { baseUrl } = await upstream.start();
    ({ app, url } = await startApp({
      PLO_FID: '424242',
      PLO_BASE_URL: baseUrl,
      PLO_AUTHINFO_KEY: 'A'.repeat(22) + '==',
      PLO_AUTHINFO_MODE: 'ecb',
      PLO_AUTHINFO_ENCODING: 'base64url',
    }));
  });
  afterAll(async () => {
    await app.close();
    await upstream.stop();
  });

  it('talks to the configured base URL', async () => {
    upstream.resetRequestCount();
    const res = await fetch(url, { headers: { 'X-Demo-User-Id': 'carol' } });
    expect(await res.json()).toEqual({ token: upstream.tokenFor('424242', 'carol') });
    expect(upstream.requestCount).toBe(1);
  });

  it('answers 502 with no upstream detail when the upstream refuses', async () => {
    upstream.setFault({ type: 'http-error', status: 403 }, { times: 1 });
    const res = await fetch(url, { headers: { 'X-Demo-User-Id': 'dave' } });
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(text).not.toMatch(/Simulat|Source|ReasonCode/);
  });

  it('passes a 429 on as 503 with Retry-After once the retries are spent', async () => {
    upstream.setFault({ type: 'http-error', status: 429, retryAfter: '1' }, { times: 3 });
    const res = await fetch(url, { headers: { 'X-Demo-User-Id': 'erin' } });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
  }, 15_000);
});
