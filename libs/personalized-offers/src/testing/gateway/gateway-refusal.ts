/** Why the gateway refused a request: what it answers, before any routing. */
export interface GatewayRefusal {
  /** HTTP status: 400, 401 or 403. */
  readonly status: number;
  /** `INVALID_AUTH_HEADER`, `INVALID_BODY_HASH` or `AUTHENTICATION_FAILED`. */
  readonly reasonCode: GatewayReasonCode;
  readonly description: string;
}

export type GatewayReasonCode = 'INVALID_AUTH_HEADER' | 'INVALID_BODY_HASH' | 'AUTHENTICATION_FAILED';

/**
 * The gateway's error body, field for field as real refusals show it (GATEWAY-ERRORS.md §3):
 * `Source` `"Gateway"`, `Recoverable` false (retrying the same request never helps), `Details` null.
 */
export function gatewayErrorBody(refusal: GatewayRefusal): unknown {
  return {
    Errors: {
      Error: [{ Source: 'Gateway', ReasonCode: refusal.reasonCode, Description: refusal.description, Recoverable: false, Details: null }],
    },
  };
}

/** 400 `INVALID_AUTH_HEADER`: the header is missing, malformed or lacks a parameter. */
export function invalidAuthHeader(problem: string): GatewayRefusal {
  return { status: 400, reasonCode: 'INVALID_AUTH_HEADER', description: `Bad Request - ${problem}` };
}

/** 400 `INVALID_BODY_HASH`, in the 2024 wording: the hash of the bytes received, and the header's value as it was sent. */
export function invalidBodyHash(calculated: string, received: string): GatewayRefusal {
  return {
    status: 400,
    reasonCode: 'INVALID_BODY_HASH',
    description: `Bad Request - The provided oauth_body_hash does not match the RSA-SHA256 hash of the request payload. Calculated: ${calculated}, Received: ${received}`,
  };
}

/** 403 `AUTHENTICATION_FAILED`, in the 2023–24 wording, echoing the base string the gateway verified against. */
export function signatureFailed(baseString: string): GatewayRefusal {
  return {
    status: 403,
    reasonCode: 'AUTHENTICATION_FAILED',
    description: `OAuth Signature parameter failed verification. Acceptable signature base string: ${baseString}`,
  };
}

/** 401 `AUTHENTICATION_FAILED`: the credentials or the request's freshness (consumer key, timestamp, nonce). */
export function unauthorized(problem: string): GatewayRefusal {
  return { status: 401, reasonCode: 'AUTHENTICATION_FAILED', description: `Unauthorized - ${problem}` };
}
