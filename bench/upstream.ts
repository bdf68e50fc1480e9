/**
 * The benchmark's upstream, run in its own process so it does not share the contenders' event
 * loop. It does not verify signatures. Routes (anything else is a 404):
 * - GET /plo/v1/usertoken: a fixed spec-shaped body, after checking that FId and AuthInfo are present;
 * - GET /plo/v1/matchedoffers: one fixed v1.5 page of 50 matched offers, built once at start-up;
 * - POST /plo/v2/activatestatementcreditoffer: the JSON body is read and parsed, the answer names its OfferId;
 * - POST /loyalty/offers/user-presentment/access-tokens: `{"accessToken":"<jwt-like>"}`.
 * Optionally answers after a delay (the WAN scenarios). Reports its port and, on request, how
 * many requests it served, over IPC.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const latencyMs = Number(process.env.BENCH_UPSTREAM_LATENCY_MS ?? 0);
const SUCCESS = { Code: '600', Message: 'Success' };
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

const userToken = json({ Response: { Status: SUCCESS, UserToken: { Token: 'mh3WonUm5xmEbenchTok3n' } } });
const accessToken = json({
  accessToken: [
    Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'bench-1' })).toString('base64url'),
    Buffer.from(
      JSON.stringify({ sub: 'bench-user', fiId: '999999', utcOffset: '+00:00', iat: 1_764_000_000, jti: 'b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d' }),
    ).toString('base64url'),
    Buffer.alloc(256, 7).toString('base64url'),
  ].join('.'),
});
const oauth2Token = json({
  access_token: 'eyJ4NXQjUzI1NiI6IkJlbmNoIn0.bench-dpop-bound-token.signature',
  token_type: 'DPoP',
  expires_in: 900,
  scope: 'bench:all',
});
const badRequest = json({ Errors: { Error: [{ ReasonCode: '400', Description: 'FId or AuthInfo missing' }] } });
const badBody = json({ Errors: { Error: [{ ReasonCode: '400', Description: 'body is not the expected JSON' }] } });
const notFound = json({ Errors: { Error: [{ ReasonCode: '404', Description: 'no such route' }] } });

/** A v1.5 matched offer: every field the schema declares, strings throughout, realistic lengths. */
function matchedOffer(i: number): Record<string, unknown> {
  const merchants = ['Blue Harbor Coffee', 'Northwind Outfitters', 'Cedar & Sage Kitchen', 'Lumen Electronics', 'Atlas Travel Co.'];
  const categories = ['Dining', 'Shopping', 'Dining', 'Electronics', 'Travel'];
  const name = `${merchants[i % merchants.length]} #${100 + i}`;
  const domain = `merchant${100 + i}.example.com`;
  const points = i % 4 === 3;
  const activated = i % 3 === 0;
  const percent = i % 2 === 0;
  return {
    OfferId: `${310_000 + i * 17}`,
    OfferType: i % 5 === 4 ? 'ALWAYSON' : 'POSTPAIDCREDIT',
    OfferSource: 'Mastercard',
    Language: 'English',
    CurrencyCode: 'USD',
    Merchant: {
      Name: name,
      Category: categories[i % categories.length],
      MerchantDistance: '0.0',
      WebsiteUrl: `https://${domain}/`,
      StoreLocatorUrl: `https://${domain}/locations/`,
      MerchantCustomerCare: '1-800-555-0' + String(100 + i).padStart(3, '0'),
      Addresses: {
        Address: [
          {
            Street: `${120 + i} Market Street, Suite ${i + 1}, San Francisco, CA 94105`,
            Latitude: (37.7749 + i / 1000).toFixed(4),
            Longitude: (-122.4194 - i / 1000).toFixed(4),
          },
          { Street: `${40 + i} Broadway, New York, NY 10004`, Latitude: (40.7056 + i / 1000).toFixed(4), Longitude: (-74.0134 - i / 1000).toFixed(4) },
        ],
      },
    },
    MerchantImageURL: `https://${domain}/assets/logo_85x85.png`,
    RedemptionMode: points ? 'POINTS' : 'CASH',
    ...(points ? { PointsConversionRate: '0.01', PointsType: 'Bench Bank Points' } : {}),
    MinTotalSpend: `${25 + (i % 4) * 25}.00`,
    LongTerms:
      `Offer valid for purchases at ${name} made with your enrolled Mastercard between the event start and end dates. ` +
      'Statement credit is applied within 90 days of a qualifying purchase. Limit one statement credit per cardholder. ' +
      'Gift card purchases, taxes, tips and returns do not qualify. Offer is non-transferable and may be withdrawn at any time.',
    Headline: percent ? `Get ${5 + (i % 10)}% back at ${name}` : `Get $${5 + (i % 10)}.00 back at ${name}`,
    ShortDescription: `Spend $${25 + (i % 4) * 25}.00 or more in one purchase and get a statement credit.`,
    EventStartDate: '2026-11-01',
    EventEndDate: '2027-01-31',
    MaxUserRedemptions: '1',
    OfferCountry: 'USA',
    ...(activated
      ? { ActivationDate: '2026-11-15', ScActivation: { ActivationId: `${900_000 + i}`, RedemptionStartDate: '2026-11-15', RedemptionEndDate: '2027-01-31' } }
      : {}),
    Price: '0.00',
    Discount: percent ? String(5 + (i % 10)) : `${5 + (i % 10)}.00`,
    DiscountType: percent ? 'PERCENTAGE' : 'ABSOLUTE',
    ActiveSc: activated ? 'ACTIVATED_STATEMENT_CREDIT' : 'AVAILABLE',
    UserFeedback: { OfferId: `${310_000 + i * 17}`, Feedback: String(i % 2) },
  };
}

const matchedOffers = json({
  Response: {
    Status: SUCCESS,
    TotalCount: '500',
    CurrentPage: '1',
    NumberOfPages: '10',
    ItemsPerPage: '50',
    Items: { MatchedOffer: Array.from({ length: 50 }, (_, i) => matchedOffer(i)) },
  },
});

let served = 0;

function send(res: ServerResponse, status: number, body: Buffer): void {
  const answer = () => res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': body.length }).end(body);
  if (latencyMs > 0) setTimeout(answer, latencyMs);
  else answer();
}

function readBody(req: IncomingMessage, then: (text: string) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => then(Buffer.concat(chunks).toString('utf8')));
}

const server = createServer((req, res) => {
  served += 1;
  const url = req.url ?? '';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  if (req.method === 'GET' && path === '/plo/v1/usertoken') {
    const ok = /(^|&)FId=[^&]+/.test(query) && /(^|&)AuthInfo=[^&]+/.test(query);
    send(res, ok ? 200 : 400, ok ? userToken : badRequest);
  } else if (req.method === 'GET' && path === '/plo/v1/matchedoffers') {
    send(res, 200, matchedOffers);
  } else if (req.method === 'POST' && path === '/plo/v2/activatestatementcreditoffer') {
    readBody(req, (text) => {
      let offerId: unknown;
      try {
        offerId = (JSON.parse(text) as { OfferId?: unknown } | null)?.OfferId;
      } catch {
        offerId = undefined;
      }
      if (typeof offerId !== 'string') {
        send(res, 400, badBody);
        return;
      }
      send(res, 200, json({ Response: { Status: SUCCESS, ScActivation: { ActivationId: '7', OfferId: offerId, Status: 'ACTIVATED' } } }));
    });
  } else if (req.method === 'POST' && path === '/loyalty/offers/user-presentment/access-tokens') {
    readBody(req, () => send(res, 200, accessToken));
  } else if (req.method === 'POST' && path === '/oauth/token') {
    // OAuth 2.0 token endpoint (the OAuth 2.0 row): a DPoP token; assertions are not verified here.
    readBody(req, () => send(res, 200, oauth2Token));
  } else {
    req.resume();
    send(res, 404, notFound);
  }
});
server.keepAliveTimeout = 60_000;
server.maxRequestsPerSocket = 0;

/** Reports to the bench's process over IPC (this file only runs forked by harness.ts). */
function report(message: Record<string, unknown>): void {
  if (!process.send) throw new Error('bench upstream: run it through harness.ts (a forked process with IPC)');
  process.send(message);
}

server.listen(0, '127.0.0.1', () => {
  report({ port: (server.address() as AddressInfo).port, matchedOffersBytes: matchedOffers.length });
});
process.on('message', (message: { type: string }) => {
  if (message.type === 'count') report({ served });
  if (message.type === 'reset') {
    served = 0;
    report({ reset: true });
  }
  if (message.type === 'stop') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
