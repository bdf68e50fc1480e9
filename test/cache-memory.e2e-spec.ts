import { Injectable, type Provider } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  type CacheOptions,
  InjectTokenStore,
  PersonalizedOffersApiError,
  PersonalizedOffersModule,
  type TokenStore,
  UserTokenService,
} from 'nestjs-personalized-offers';
import { expectNoGatewayRefusal, gatewaySimulator, signed } from './support/gateway.js';

/** The in-process cache and single-flight, against the simulator (its request count is the truth), signed through its gateway. */
describe('token cache in process memory', () => {
  const simulator = gatewaySimulator();
  let moduleRef: TestingModule | undefined;

  beforeAll(() => simulator.start());
  afterAll(() => simulator.stop());
  beforeEach(() => {
    simulator.resetRequestCount();
    simulator.setFault(undefined);
  });
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
    expectNoGatewayRefusal(simulator);
  });

  async function service(cache?: CacheOptions | false, providers: Provider[] = []): Promise<UserTokenService> {
    moduleRef = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: '999999',
          baseUrl: simulator.baseUrl,
          authInfo: simulator.authInfo,
          ...signed,
          ...(cache === undefined ? {} : { cache }),
          isGlobal: true,
        }),
      ],
      providers,
    }).compile();
    return moduleRef.get(UserTokenService);
  }

  it('caches by default: a second call makes no request', async () => {
    const users = await service();
    const first = await users.getUserToken('alice');
    expect(await users.getUserToken('alice')).toBe(first);
    expect(simulator.requestCount).toBe(1);
  });

  it('single-flight: 10 000 concurrent calls for one user make 1 upstream request', async () => {
    const users = await service();
    simulator.setFault({ type: 'latency', ms: 50 }, { times: 1 });
    const tokens = await Promise.all(Array.from({ length: 10_000 }, () => users.getUserToken('stampede-user')));
    expect(simulator.requestCount).toBe(1);
    expect(new Set(tokens)).toEqual(new Set([simulator.tokenFor('999999', 'stampede-user')]));
  });

  it('shares an error with every concurrent caller and does not cache it', async () => {
    const users = await service();
    simulator.setFault({ type: 'status-code', code: '601' }, { times: 1 });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => users.getUserToken('bob')));
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof PersonalizedOffersApiError)).toBe(true);
    expect(simulator.requestCount).toBe(1);
    await expect(users.getUserToken('bob')).resolves.toBe(simulator.tokenFor('999999', 'bob'));
    expect(simulator.requestCount).toBe(2);
  });

  it('keeps at most maxEntries tokens, evicting the least recently used', async () => {
    const users = await service({ maxEntries: 3 });
    for (const u of ['u1', 'u2', 'u3']) await users.getUserToken(u);
    await users.getUserToken('u1'); // u1 is now the most recently used
    await users.getUserToken('u4'); // evicts u2
    expect(simulator.requestCount).toBe(4);
    await users.getUserToken('u1');
    await users.getUserToken('u3');
    expect(simulator.requestCount).toBe(4);
    await users.getUserToken('u2');
    expect(simulator.requestCount).toBe(5);
  });

  it('expires tokens after ttlMs (milliseconds)', async () => {
    const users = await service({ ttlMs: 150 });
    await users.getUserToken('carol');
    await users.getUserToken('carol');
    expect(simulator.requestCount).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    await users.getUserToken('carol');
    expect(simulator.requestCount).toBe(2);
  });

  it('invalidateUserToken forces a new fetch; refresh bypasses the cache and stores the result', async () => {
    const users = await service();
    await users.getUserToken('dave');
    await users.invalidateUserToken('dave');
    await users.getUserToken('dave');
    expect(simulator.requestCount).toBe(2);
    await users.getUserToken('dave', { refresh: true });
    expect(simulator.requestCount).toBe(3);
    await users.getUserToken('dave');
    expect(simulator.requestCount).toBe(3);
  });

  it('cache: false calls the API every time (concurrent calls still share one request)', async () => {
    const users = await service(false);
    await users.getUserToken('erin');
    await users.getUserToken('erin');
    expect(simulator.requestCount).toBe(2);
    simulator.setFault({ type: 'latency', ms: 30 }, { times: 1 });
    await Promise.all([users.getUserToken('erin'), users.getUserToken('erin')]);
    expect(simulator.requestCount).toBe(3);
  });

  it('takes a user-supplied store and exposes it through InjectTokenStore()', async () => {
    const calls: string[] = [];
    const map = new Map<string, string>();
    const store: TokenStore = {
      get: (k) => {
        calls.push(`get ${k}`);
        return Promise.resolve(map.get(k));
      },
      set: (k, v, ttl) => {
        calls.push(`set ${k} ${ttl}`);
        map.set(k, v);
        return Promise.resolve();
      },
      delete: (k) => {
        calls.push(`delete ${k}`);
        map.delete(k);
        return Promise.resolve();
      },
    };
    @Injectable()
    class UsesStore {
      constructor(@InjectTokenStore() readonly store: TokenStore) {}
    }
    const users = await service({ store, ttlMs: 60_000 }, [UsesStore]);
    expect(moduleRef!.get(UsesStore).store).toBe(store);
    await users.getUserToken('frank');
    await users.getUserToken('frank');
    await users.invalidateUserToken('frank');
    expect(calls).toEqual(['get 999999:frank', 'set 999999:frank 60000', 'get 999999:frank', 'delete 999999:frank']);
    expect(simulator.requestCount).toBe(1);
  });
});
