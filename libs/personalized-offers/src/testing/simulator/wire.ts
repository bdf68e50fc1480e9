import type { ServerResponse } from 'node:http';

/** What a handler answers: an HTTP status and a JSON body (written by the dispatcher, or altered by a fault first). */
export interface SimulatorReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** `Response.Status` of a legacy success: the code is a string, and `'600'` is the only success the specs show. */
export const SUCCESS_STATUS = Object.freeze({ Code: '600', Message: 'Success' });

// Only the statuses the simulator decides itself: fault statuses keep the historical `Details: 'Error'`.
const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
};

/** The legacy success envelope `{"Response":{"Status":{600},…payload}}`. */
export function legacySuccess(payload: Record<string, unknown> = {}): SimulatorReply {
  return { status: 200, body: { Response: { Status: { ...SUCCESS_STATUS }, ...payload } } };
}

/** HTTP 200 carrying a non-600 `Response.Status` and no payload: how the legacy API reports business failures. */
export function legacyStatus(code: string, message: string): SimulatorReply {
  return { status: 200, body: { Response: { Status: { Code: code, Message: message } } } };
}

/** Whether `reply` is a legacy success (200 with `Status.Code` `'600'`): the only answers status faults rewrite. */
export function isLegacySuccess(reply: SimulatorReply): boolean {
  const response = (reply.body as { Response?: { Status?: { Code?: unknown } } } | undefined)?.Response;
  return reply.status === 200 && response?.Status?.Code === SUCCESS_STATUS.Code;
}

/** A `/loyalty/offers/*` success: HTTP 200 and the bare camelCase body (no envelope, no status in it). */
export function loyaltySuccess(body: unknown): SimulatorReply {
  return { status: 200, body };
}

/** The platform-admin `StatusInfo` of a success (`BrowseOffers.status`, `UserAdjustment.status`): an int32 code. */
export const STATUS_INFO = Object.freeze({ code: 200, message: 'Success' });

/**
 * A `status-code` or `no-token` fault on a `/loyalty` success: HTTP 200 with the payload
 * stripped. Platform admin keeps a `status` (the fault's code as an integer, 0 when it is not
 * one); user presentment and impressions answer `{}` (for createAccessToken: no `accessToken`).
 */
export function strippedLoyaltyReply(path: string, fault: { type: 'status-code'; code: string; message?: string } | { type: 'no-token' }): SimulatorReply {
  if (fault.type === 'status-code' && path.startsWith('/loyalty/offers/platform-admin/')) {
    const code = /^-?\d{1,9}$/.test(fault.code) ? Number(fault.code) : 0;
    return { status: 200, body: { status: { code, message: fault.message ?? 'Failure' } } };
  }
  return { status: 200, body: {} };
}

/** Mastercard's v1.5 `APIError` body, as the gateway and the service send it. */
export function errorBody(status: number, description: string): unknown {
  return {
    Errors: {
      Error: [
        {
          ReasonCode: String(status),
          Source: 'PersonalizedOffersSimulator',
          Description: description,
          Details: REASON[status] ?? 'Error',
          Recoverable: status >= 500 || status === 429,
        },
      ],
    },
  };
}

/** An error answer with {@link errorBody}. */
export function errorReply(status: number, description: string, headers?: Record<string, string>): SimulatorReply {
  return { status, body: errorBody(status, description), ...(headers ? { headers } : {}) };
}

/** Writes `body` as JSON with an exact Content-Length, so clients never see a chunked legacy answer. */
export function writeJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
}
