import { generateKeyPairSync } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import { type Server as HttpsServer, createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, type Socket, connect } from 'node:net';
import { Test } from '@nestjs/testing';
import forge from 'node-forge';
import {
  PersonalizedOffersConfigError,
  PersonalizedOffersModule,
  type PersonalizedOffersModuleOptions,
  PersonalizedOffersNetworkError,
  UserTokenService,
} from 'nestjs-personalized-offers';
import { okBody } from './support/loopback-server.js';

/** A test CA and a server certificate it signed, for 127.0.0.1 and sandbox.example.test; made at run time. */
function testPki(): { caPem: string; certPem: string; keyPem: string } {
  const toForge = (pem: string) => forge.pki.privateKeyFromPem(pem);
  const caKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const serverKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const caKey = toForge(caKeys.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const serverKey = toForge(serverKeys.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const now = new Date();
  const later = new Date(now.getTime() + 86_400_000);

  const ca = forge.pki.createCertificate();
  ca.publicKey = forge.pki.setRsaPublicKey(caKey.n, caKey.e);
  ca.serialNumber = '01';
  ca.validity.notBefore = now;
  ca.validity.notAfter = later;
  const caName = [{ name: 'commonName', value: 'nestjs-personalized-offers test CA' }];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true },
  ]);
  ca.sign(caKey, forge.md.sha256.create());

  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(serverKey.n, serverKey.e);
  cert.serialNumber = '02';
  cert.validity.notBefore = now;
  cert.validity.notAfter = later;
  cert.setSubject([{ name: 'commonName', value: 'sandbox.example.test' }]);
  cert.setIssuer(caName);
  cert.setExtensions([
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'sandbox.example.test' },
      ],
    },
    { name: 'extKeyUsage', serverAuth: true },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { caPem: forge.pki.certificateToPem(ca), certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(serverKey) };
}

/** Egress through a real proxy, and TLS to a gateway whose certificate a private CA issued. */
describe('egress proxy and extra CA', () => {
  const pki = testPki();
  let https: HttpsServer;
  let httpsPort: number;
  let proxy: Server;
  let proxyUrl: string;
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  let served = 0;

  beforeAll(async () => {
    https = createHttpsServer({ cert: pki.certPem, key: pki.keyPem }, (_req, res) => {
      served += 1;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(okBody('tok-through-tls'));
    });
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
    httpsPort = (https.address() as AddressInfo).port;
    // A CONNECT proxy that sends every tunnel to the HTTPS server, whatever host was asked for
    // (no DNS needed for sandbox.example.test), and records what was asked for.
    proxy = createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req, client: Socket, head: Buffer) => {
      tunnels.push(String(req.url));
      const upstream = connect(httpsPort, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => s.destroy());
      }
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => proxy.close(() => r()));
    https.closeAllConnections();
    await new Promise<void>((r) => https.close(() => r()));
  });
  beforeEach(() => {
    tunnels.length = 0;
    served = 0;
  });

  async function token(options: Partial<PersonalizedOffersModuleOptions>): Promise<unknown> {
    const ref = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: '999999',
          authInfo: { key: '000102030405060708090a0b0c0d0e0f', iv: 'f0e0d0c0b0a090807060504030201000' },
          cache: false,
          ...options,
          http: { retry: false, circuitBreaker: false, timeoutMs: 3_000, ...options.http },
        }),
      ],
    }).compile();
    try {
      return await ref
        .get(UserTokenService)
        .getUserToken('alice')
        .catch((e: unknown) => e);
    } finally {
      await ref.close();
    }
  }

  it.each(['undici', 'node'] as const)('%s: a certificate from an unknown CA is refused; with http.ca it is accepted', async (transport) => {
    const refused = await token({ baseUrl: `https://127.0.0.1:${httpsPort}`, http: { transport } });
    expect(refused).toBeInstanceOf(PersonalizedOffersNetworkError);
    expect(served).toBe(0);
    expect(await token({ baseUrl: `https://127.0.0.1:${httpsPort}`, http: { transport, ca: pki.caPem } })).toBe('tok-through-tls');
    expect(served).toBe(1);
  });

  it.each(['undici', 'node'] as const)('%s: http.proxy sends the request through the proxy (a CONNECT tunnel to the gateway host)', async (transport) => {
    const result = await token({ baseUrl: 'https://sandbox.example.test', http: { transport, proxy: proxyUrl, ca: Buffer.from(pki.caPem) } });
    expect(result).toBe('tok-through-tls');
    expect(tunnels).toEqual(['sandbox.example.test:443']);
  });

  it('undici: HTTPS_PROXY from the environment is honoured, and NO_PROXY bypasses it', async () => {
    const saved = { HTTPS_PROXY: process.env.HTTPS_PROXY, NO_PROXY: process.env.NO_PROXY };
    try {
      process.env.HTTPS_PROXY = proxyUrl;
      expect(await token({ baseUrl: 'https://sandbox.example.test', http: { ca: [pki.caPem] } })).toBe('tok-through-tls');
      expect(tunnels).toEqual(['sandbox.example.test:443']);
      process.env.NO_PROXY = 'sandbox.example.test';
      // Direct now: the name does not resolve here, so the request fails without touching the proxy.
      expect(await token({ baseUrl: 'https://sandbox.example.test', http: { ca: [pki.caPem] } })).toBeInstanceOf(PersonalizedOffersNetworkError);
      expect(tunnels).toHaveLength(1);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) Reflect.deleteProperty(process.env, k);
        else process.env[k] = v;
      }
    }
  });

  it.each(['undici', 'node'] as const)('%s: a loopback base URL never goes through the environment proxy', async (transport) => {
    const saved = process.env.HTTPS_PROXY;
    try {
      process.env.HTTPS_PROXY = proxyUrl;
      expect(await token({ baseUrl: `https://127.0.0.1:${httpsPort}`, http: { transport, ca: pki.caPem } })).toBe('tok-through-tls');
      expect(tunnels).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.HTTPS_PROXY;
      else process.env.HTTPS_PROXY = saved;
    }
  });

  it.each([
    [{ proxy: 'socks5://127.0.0.1:1080' }, 'http.proxy'],
    [{ proxy: 'not a url' }, 'http.proxy'],
    [{ ca: 'not a certificate' }, 'http.ca'],
    [{ ca: [] as string[] }, 'http.ca'],
  ])('refuses %o at start-up, naming %s', async (http, setting) => {
    const error = await Test.createTestingModule({
      imports: [
        PersonalizedOffersModule.forRoot({
          fId: '999999',
          authInfo: { key: '000102030405060708090a0b0c0d0e0f', iv: 'f0e0d0c0b0a090807060504030201000' },
          http,
        }),
      ],
    })
      .compile()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonalizedOffersConfigError);
    expect((error as PersonalizedOffersConfigError).settings).toContain(setting);
  });
});
