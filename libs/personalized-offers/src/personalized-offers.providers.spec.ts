import { generateKeyPairSync } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { resolveOptions } from './config/resolve-options.js';
import type { PersonalizedOffersModuleOptions } from './interfaces/index.js';
import { PersonalizedOffersModule } from './personalized-offers.module.js';
import { describeStartup } from './personalized-offers.providers.js';

const KEY = '000102030405060708090a0b0c0d0e0f';
const IV = 'f0e0d0c0b0a090807060504030201000';
const CONSUMER_KEY = 'consumer-key-0123456789abcdef';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const line = (options: Partial<PersonalizedOffersModuleOptions>) => describeStartup(resolveOptions({ fId: '12345678', ...options }));

describe('describeStartup (the start-up line)', () => {
  it('names the production host as production, with the fId masked to its last 4 characters', () => {
    expect(line({ oauth: { consumerKey: CONSUMER_KEY, signingKey: privateKey } })).toBe(
      'Personalized Offers API api.mastercard.com (production), fId …5678, authentication OAuth 1.0a RSA-SHA256 (consumer key …cdef), ' +
        'AuthInfo none (legacy user-token calls disabled), cache memory, transport undici.',
    );
  });

  it('names the sandbox, a loopback host, or nothing for another host, keeping a proxy path', () => {
    expect(line({ baseUrl: 'https://sandbox.api.mastercard.com/plo/v1' })).toContain('API sandbox.api.mastercard.com (sandbox), ');
    expect(line({ baseUrl: 'http://127.0.0.1:4010' })).toContain('API 127.0.0.1:4010 (loopback), ');
    expect(line({ baseUrl: 'https://gateway.bank.example/mastercard/' })).toContain('API gateway.bank.example/mastercard, fId');
    // A look-alike host is not production.
    expect(line({ baseUrl: 'https://api.mastercard.com.evil.example' })).not.toContain('production');
  });

  it('says unsigned without oauth, and the RSA-PSS scheme when chosen', () => {
    expect(line({})).toContain(', authentication unsigned, ');
    expect(line({ oauth: { consumerKey: CONSUMER_KEY, signingKey: privateKey, signatureMethod: 'RSA-PSS' } })).toContain(
      ', authentication OAuth 1.0a RSA-PSS (consumer key …cdef), ',
    );
  });

  it('names the AuthInfo format, the cache kind and the transport, and never a secret', () => {
    const text = line({
      authInfo: { key: KEY, iv: IV },
      cache: { encryptionKey: 'sixteen-byte-key', store: { redis: { url: 'redis://:redispass@cache:6379' } } },
      http: { transport: 'node', proxy: 'http://proxyuser:proxypass@proxy.bank.example:3128' },
      oauth: { consumerKey: CONSUMER_KEY, signingKey: privateKey },
    });
    expect(text).toContain(', AuthInfo cbc/hex, cache redis, transport node via proxy proxy.bank.example:3128.');
    for (const secret of [KEY, IV, 'sixteen-byte-key', 'redispass', 'proxyuser', 'proxypass', CONSUMER_KEY.slice(0, -4), '12345678'])
      expect(text).not.toContain(secret);
    expect(line({ cache: false })).toContain(', cache none, ');
    expect(line({ cache: { store: { get: () => Promise.resolve(null), set: () => Promise.resolve(), delete: () => Promise.resolve() } as never } })).toContain(
      ', cache custom, ',
    );
  });
});

describe('start-up logging', () => {
  function capture(): { logger: LoggerService; lines: string[] } {
    const lines: string[] = [];
    const at = (level: string) => (message: unknown) => lines.push(`${level} ${String(message)}`);
    return { lines, logger: { log: at('log'), warn: at('warn'), error: at('error'), debug: at('debug'), verbose: at('verbose') } };
  }

  async function boot(options: PersonalizedOffersModuleOptions): Promise<string[]> {
    const { logger, lines } = capture();
    const ref = await Test.createTestingModule({ imports: [PersonalizedOffersModule.forRoot(options)] })
      .setLogger(logger)
      .compile();
    await ref.close();
    return lines;
  }

  it('logs the start-up line once at log level, and no "Signing requests" line', async () => {
    const lines = await boot({ fId: '999999', baseUrl: 'http://127.0.0.1:9', oauth: { consumerKey: CONSUMER_KEY, signingKey: privateKey } });
    expect(lines.filter((l) => l.startsWith('log Personalized Offers API 127.0.0.1:9 (loopback), fId …9999'))).toHaveLength(1);
    expect(lines.join('\n')).not.toContain('Signing requests');
  });

  it('keeps the unsigned warning for a remote host, and not for loopback', async () => {
    const remote = await boot({ fId: '999999', baseUrl: 'https://sandbox.api.mastercard.com' });
    expect(remote.filter((l) => l.startsWith('warn') && l.includes('unsigned and Mastercard will refuse them'))).toHaveLength(1);
    expect(remote.some((l) => l.startsWith('log') && l.includes('authentication unsigned'))).toBe(true);
    const local = await boot({ fId: '999999', baseUrl: 'http://127.0.0.1:9' });
    expect(local.filter((l) => l.startsWith('warn'))).toEqual([]);
  });
});
