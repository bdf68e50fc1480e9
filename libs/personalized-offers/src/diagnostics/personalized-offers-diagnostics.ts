import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import axios, { type AxiosInstance } from 'axios';
import type { ResolvedPersonalizedOffersOptions } from '../config/resolve-options.js';
import { AuthInfoCryptoService } from '../crypto/auth-info-crypto.service.js';
import { PersonalizedOffersConfigError } from '../errors/personalized-offers-config.error.js';
import { ConnectionPool } from '../http/connection-pool.js';
import { NEVER_CANCELLED } from '../http/never-cancelled.js';
import { toNetworkError } from '../http/personalized-offers-http.client.js';
import { PlatformAdminService } from '../loyalty/platform-admin/platform-admin.service.js';
import { PERSONALIZED_OFFERS_RESOLVED_OPTIONS, PRODUCTION_BASE_URL, SANDBOX_BASE_URL } from '../personalized-offers.constants.js';
import { type CallFailureContext, describeCallFailure } from './call-failure.js';
import { type DiagnosticCheck, type DiagnosticReport, diagnosticReport } from './diagnostic-report.js';
import { causeCode, describeNetworkFailure } from './network-failure.js';

/** Largest clock difference with the API host that passes: Mastercard's window is unpublished, 60 s leaves margin. */
export const MAX_CLOCK_OFFSET_SECONDS = 60;

/** The signed call the doctor makes: a read of one offer of the FI's catalogue. */
export const DOCTOR_SIGNED_CALL = 'browseOffers (GET /loyalty/offers/platform-admin/offers?limit=1)';

/** What the first request to the host found. */
type Probe = { reached: true; status: number; ms: number; date?: string; sentAt: number; answeredAt: number } | { reached: false; code: string };

/**
 * Checks, one by one, what a first production call depends on, and says what to do about each
 * failure: `verifyCredentials()` runs them against the configured host. For a deploy pipeline
 * (the `nestjs-personalized-offers doctor` bin) or an operator's endpoint; it makes two requests
 * to the host (see {@link verifyCredentials}), so it is not a liveness probe to run every second.
 * No line carries a secret, a user id or more of the consumer key than its last 4 characters.
 */
@Injectable()
export class PersonalizedOffersDiagnostics {
  private readonly probeClient: AxiosInstance;

  /**
   * Called by Nest with the module's internal collaborators: applications never construct this
   * provider themselves, they inject it (`@InjectPersonalizedOffers` for a named registration).
   *
   * @internal
   */
  constructor(
    @Inject(PERSONALIZED_OFFERS_RESOLVED_OPTIONS) private readonly options: ResolvedPersonalizedOffersOptions,
    pool: ConnectionPool,
    private readonly authInfo: AuthInfoCryptoService,
    private readonly platformAdmin: PlatformAdminService,
  ) {
    // The module's own transport (pool, proxy, CA certificates), without its signer: the probe is about the road, not the keys.
    this.probeClient = axios.create({ maxRedirects: 0, ...pool.axiosDefaults() });
  }

  /**
   * Runs the checks, in this order, and returns every verdict (it never throws):
   * 1. `configuration`: the options passed validation at start-up (what they imply: host, fId, scheme);
   * 2. `signing-key`: the OAuth key signs, its size (≥ 2048-bit RSA) and signature method;
   * 3. `authinfo`: when AuthInfo is configured, an AuthInfo encrypted and decrypted again;
   * 4. `reach`: one GET to the host through the module's transport: DNS, TCP, TLS, proxy;
   * 5. `clock`: that answer's `Date` header against this machine's clock (more than 60 s off fails);
   * 6. `signed-call`: one call signed exactly as production calls are, `browseOffers` with
   *    `limit` 1 (a read, of no user), with a gateway refusal decoded into what to fix.
   */
  async verifyCredentials(): Promise<DiagnosticReport> {
    const host = new URL(this.options.baseUrl).host;
    const checks: DiagnosticCheck[] = [this.configuration(host), await this.signingKey(), this.authInfoRoundTrip()];
    const probe = await this.probe();
    checks.push(this.reach(probe, host), this.clock(probe));
    checks.push(await this.signedCall(host));
    return diagnosticReport(host, checks);
  }

  private get environment(): string {
    const base = this.options.baseUrl;
    if (base === PRODUCTION_BASE_URL) return 'Mastercard production';
    if (base === SANDBOX_BASE_URL) return 'Mastercard sandbox';
    return this.options.loopback ? 'loopback' : 'custom host';
  }

  private get proxy(): string {
    const explicit = this.options.http.proxy;
    if (explicit) return `proxy ${new URL(explicit).host}`;
    if (this.options.loopback) return 'direct';
    const variable = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].find((name) => Boolean(process.env[name]));
    return variable ? `the proxy in ${variable}` : 'direct';
  }

  private get failureContext(): CallFailureContext {
    return {
      host: new URL(this.options.baseUrl).host,
      proxy: this.proxy,
      ...(this.options.signer ? { maskedConsumerKey: this.options.signer.maskedConsumerKey } : {}),
    };
  }

  private configuration(host: string): DiagnosticCheck {
    const { fId, signer, cache, http } = this.options;
    const scheme = signer ? `OAuth 1.0a ${signer.signatureMethod}` : 'unsigned';
    const store = cache ? cache.store : 'off';
    return {
      name: 'configuration',
      ok: true,
      detail: `valid: host ${host} (${this.environment}), fId …${fId.slice(-4)}, ${scheme}, token cache ${store}, transport ${http.transport}`,
    };
  }

  private async signingKey(): Promise<DiagnosticCheck> {
    const signer = this.options.signer;
    if (!signer) {
      if (this.options.loopback) {
        return {
          name: 'signing-key',
          ok: true,
          skipped: true,
          detail: 'not configured: requests are unsigned, which only a loopback stand-in without gateway mode accepts',
        };
      }
      return {
        name: 'signing-key',
        ok: false,
        detail: `not configured: requests to ${new URL(this.options.baseUrl).host} go unsigned and Mastercard's gateway refuses every one`,
        remedy:
          'set PLO_OAUTH_CONSUMER_KEY and PLO_OAUTH_KEY_FILE (the .p12 from Mastercard Developers, with PLO_OAUTH_KEY_ALIAS and PLO_OAUTH_KEY_PASSWORD), or oauth in the module options',
      };
    }
    try {
      // An RSA signature is as long as the modulus: signing proves the key works and gives its size.
      const bits = Buffer.from(await signer.sign('nestjs-personalized-offers doctor'), 'base64').length * 8;
      return {
        name: 'signing-key',
        ok: bits >= 2048,
        detail: `opens and signs: RSA ${bits}-bit private key, OAuth 1.0a ${signer.signatureMethod}, consumer key ${signer.maskedConsumerKey}`,
        ...(bits >= 2048 ? {} : { remedy: 'use the 2048-bit key Mastercard Developers issues for this project' }),
      };
    } catch {
      return {
        name: 'signing-key',
        ok: false,
        detail: 'the key loaded at start-up does not sign',
        remedy: "download the project's signing key (.p12) again and point PLO_OAUTH_KEY_FILE at it",
      };
    }
  }

  private authInfoRoundTrip(): DiagnosticCheck {
    const material = this.options.keyMaterial;
    const notConfigured: DiagnosticCheck = {
      name: 'authinfo',
      ok: true,
      skipped: true,
      detail: 'not configured: the current /loyalty API does not need it; legacy /plo calls and user tokens are unavailable',
    };
    if (!material) return notConfigured;
    // A synthetic user id of the doctor's own, never shown.
    const userId = `plo-doctor-${randomBytes(6).toString('hex')}`;
    const unixTime = Math.floor(Date.now() / 1000);
    try {
      const plain = this.authInfo.decrypt(this.authInfo.encrypt(userId, unixTime));
      const same = plain.userId === userId && plain.fId === this.options.fId && plain.unixTime === unixTime;
      return same
        ? { name: 'authinfo', ok: true, detail: `encrypts and decrypts again (AES-128, mode ${material.mode}, encoding ${material.encoding})` }
        : {
            name: 'authinfo',
            ok: false,
            detail: 'an AuthInfo decrypted to something other than what was encrypted',
            remedy: 'check PLO_AUTHINFO_KEY, PLO_AUTHINFO_IV, PLO_AUTHINFO_MODE and PLO_AUTHINFO_ENCODING against what Mastercard gave you',
          };
    } catch (error) {
      if (error instanceof PersonalizedOffersConfigError && error.settings.some((s) => s.startsWith('authInfo'))) return notConfigured;
      return {
        name: 'authinfo',
        ok: false,
        detail: `the AuthInfo round trip failed (${error instanceof Error ? error.name : 'error'})`,
        remedy: 'check PLO_AUTHINFO_KEY, PLO_AUTHINFO_IV, PLO_AUTHINFO_MODE and PLO_AUTHINFO_ENCODING against what Mastercard gave you',
      };
    }
  }

  /** One unsigned GET of the host's root through the module's transport; any HTTP answer means the host was reached. */
  private async probe(): Promise<Probe> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.http.timeoutMs);
    const sentAt = Date.now();
    try {
      const response = await this.probeClient.request<string>({
        method: 'GET',
        url: `${this.options.baseUrl}/`,
        headers: { Accept: 'application/json' },
        responseType: 'text',
        transformResponse: (data: unknown) => data,
        validateStatus: () => true,
        maxContentLength: 64 * 1024,
        signal: controller.signal,
        cancelToken: NEVER_CANCELLED,
      });
      const answeredAt = Date.now();
      const date: unknown = response.headers['date'];
      return { reached: true, status: response.status, ms: answeredAt - sentAt, sentAt, answeredAt, ...(typeof date === 'string' ? { date } : {}) };
    } catch (error) {
      // A body past 64 KiB is still an answer: the road works.
      if (error instanceof Error && error.message.startsWith('maxContentLength'))
        return { reached: true, status: 200, ms: Date.now() - sentAt, sentAt, answeredAt: Date.now() };
      const network = toNetworkError(error, controller.signal.aborted);
      return { reached: false, code: causeCode(network.cause) ?? 'UNKNOWN' };
    } finally {
      clearTimeout(timer);
    }
  }

  private reach(probe: Probe, host: string): DiagnosticCheck {
    const scheme = new URL(this.options.baseUrl).protocol === 'https:' ? 'TLS' : 'plain HTTP';
    const via = this.proxy === 'direct' ? 'directly' : `through ${this.proxy}`;
    if (probe.reached) {
      return { name: 'reach', ok: true, detail: `reached ${host} ${via} over ${scheme} (HTTP ${probe.status} in ${probe.ms} ms)` };
    }
    const advice = describeNetworkFailure(probe.code, host, this.proxy);
    return { name: 'reach', ok: false, detail: advice.what, remedy: advice.remedy };
  }

  private clock(probe: Probe): DiagnosticCheck {
    if (!probe.reached) {
      return { name: 'clock', ok: false, skipped: true, detail: 'not checked: the host was not reached', remedy: 'fix reach first' };
    }
    const serverMs = probe.date === undefined ? NaN : Date.parse(probe.date);
    if (Number.isNaN(serverMs)) {
      return {
        name: 'clock',
        ok: false,
        detail: "not checked: the host's answer carried no readable Date header",
        remedy: "a proxy in between may strip it; compare this machine's clock with an NTP server by hand",
      };
    }
    // Date has whole seconds (truncated): take the middle of its second, against the middle of the exchange.
    const offset = Math.round((serverMs + 500 - (probe.sentAt + probe.answeredAt) / 2) / 1000);
    const words = offset === 0 ? "agrees with this machine's" : `is ${Math.abs(offset)} s ${offset > 0 ? 'ahead of' : 'behind'} this machine's`;
    const ok = Math.abs(offset) <= MAX_CLOCK_OFFSET_SECONDS;
    return {
      name: 'clock',
      ok,
      detail: `the host's clock (its Date header) ${words} (offset ${offset > 0 ? '+' : ''}${offset} s; more than ${MAX_CLOCK_OFFSET_SECONDS} s fails)`,
      ...(ok
        ? {}
        : {
            remedy:
              "synchronize this machine's clock (NTP; in a container, the host's clock): OAuth timestamps too far from the gateway's time are refused; oauth.clockSkewCorrection signs with the gateway's time meanwhile",
          }),
    };
  }

  private async signedCall(host: string): Promise<DiagnosticCheck> {
    const signed = this.options.signer ? `signed with consumer key ${this.options.signer.maskedConsumerKey}` : 'unsigned';
    try {
      const page = await this.platformAdmin.browseOffers({ limit: 1 });
      const count = Array.isArray(page.offers) ? page.offers.length : 0;
      return {
        name: 'signed-call',
        ok: true,
        detail: `${DOCTOR_SIGNED_CALL} ${signed}: accepted by ${host} (${count} offer${count === 1 ? '' : 's'} read)`,
      };
    } catch (error) {
      const advice = describeCallFailure(error, this.failureContext);
      return { name: 'signed-call', ok: false, detail: `${DOCTOR_SIGNED_CALL}: ${advice.detail}`, remedy: advice.remedy };
    }
  }
}
