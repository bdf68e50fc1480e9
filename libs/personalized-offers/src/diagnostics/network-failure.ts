/** A transport failure in words: what happened, and what to do. */
export interface NetworkFailureAdvice {
  what: string;
  remedy: string;
}

const TLS_TRUST = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
]);

/**
 * The low-level `code` of a transport failure's cause (`ENOTFOUND`, `UND_ERR_*`…) as text, or
 * `undefined` when the cause carries none.
 */
export function causeCode(cause: unknown): string | undefined {
  const code: unknown = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : undefined;
}

/**
 * The low-level code of a request that got no HTTP answer (`ENOTFOUND`, `ECONNREFUSED`, a TLS
 * code, undici's `UND_ERR_*`…) as a sentence about DNS, TCP, TLS or the proxy, and what to do.
 * `host` is the API host (`api.mastercard.com`); `proxy` says how requests leave (explicit proxy
 * host, `HTTPS_PROXY` from the environment, or direct).
 */
export function describeNetworkFailure(code: string, host: string, proxy: string): NetworkFailureAdvice {
  const via = proxy === 'direct' ? '' : ` (through ${proxy})`;
  if (code === 'ENOTFOUND') {
    return {
      what: `DNS: the name ${host} does not resolve${via} (ENOTFOUND)`,
      remedy:
        "check the host (PLO_BASE_URL / PLO_ENV) for typos and this machine's DNS; where the network only lets a proxy out, set HTTPS_PROXY or http.proxy",
    };
  }
  if (code === 'EAI_AGAIN') {
    return {
      what: `DNS: the lookup of ${host} failed for now (EAI_AGAIN)${via}`,
      remedy: "the DNS server did not answer: check /etc/resolv.conf or the container's DNS, then run again",
    };
  }
  if (code === 'ECONNREFUSED') {
    return {
      what: `TCP: ${host} refused the connection${via} (ECONNREFUSED): nothing listens there`,
      remedy: "check the host and port of PLO_BASE_URL (a simulator that is not running?) or the proxy's address",
    };
  }
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return {
      what: `no answer from ${host}${via} within the timeout (${code})`,
      remedy:
        "a firewall dropping outbound HTTPS is the usual cause: open egress to the host on port 443, or go through the bank's proxy (HTTPS_PROXY or http.proxy); raise PLO_HTTP_TIMEOUT_MS only if the network is merely slow",
    };
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return {
      what: `TCP: no route to ${host}${via} (${code})`,
      remedy: "this machine has no route out: check the network, or use the bank's proxy (HTTPS_PROXY or http.proxy)",
    };
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') {
    return {
      what: `the connection to ${host}${via} was cut before an answer (${code})`,
      remedy:
        'a firewall, proxy or TLS-inspecting appliance closed it: check that the host is allowed through, and that HTTPS_PROXY / http.proxy is set where one is required',
    };
  }
  if (TLS_TRUST.has(code)) {
    return {
      what: `TLS: the certificate presented for ${host}${via} is not trusted (${code})`,
      remedy:
        "a TLS-inspecting proxy is the usual cause: give its CA certificate with http.ca (or NODE_EXTRA_CA_CERTS); check this machine's date too (an expired or not-yet-valid certificate)",
    };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return {
      what: `TLS: the certificate presented is not for ${host}${via} (${code})`,
      remedy: "something answers in the host's place (a proxy, a captive portal, a wrong DNS entry): check the host and the proxy settings",
    };
  }
  if (code === 'EPROTO' || code.startsWith('ERR_SSL_') || code === 'ERR_TLS_HANDSHAKE_TIMEOUT') {
    return {
      what: `TLS: the handshake with ${host}${via} failed (${code})`,
      remedy:
        'https was spoken to something that is not an https server (a plain-http port, a proxy expecting CONNECT): check the scheme and port of PLO_BASE_URL and of the proxy URL',
    };
  }
  if (code === 'UND_ERR_ABORTED' || code === 'UND_ERR_PRX_TLS' || /PROXY/i.test(code)) {
    return {
      what: `the proxy${via} did not open a tunnel to ${host} (${code})`,
      remedy: 'the proxy refused the CONNECT (often 407: it wants credentials, given as http://user:password@proxy:port): check http.proxy / HTTPS_PROXY',
    };
  }
  if (code === 'OVERLOADED') {
    return { what: "the module's own request queue was full", remedy: 'run the doctor when the application is not under load, or raise http.maxSockets' };
  }
  return {
    what: `the request to ${host}${via} failed before any answer (${code})`,
    remedy: 'check the host, the network path and any proxy between this machine and the host',
  };
}
