import { type SimulatorHandler, invalid, jsonBody } from '../handler.js';
import { accessUser } from '../loyalty.js';
import type { SimulatorImpression } from '../state.js';
import { loyaltySuccess } from '../wire.js';

const ACTIVITY_TYPES: ReadonlySet<string> = new Set(['CLICKED', 'VIEWED', 'BROWSED', 'ACTIVATED', 'LIKED']);

/**
 * POST /loyalty/offers/impressions: `{impressions: [{offerId, order, activityType,
 * activityTimestamp}]}`, at least one, each checked (`order` a string, not a number; an offer
 * of the user's fId) before any is recorded; answers the JSON string `"Accepted"`.
 */
export const publishImpressions: SimulatorHandler = (req, ctx) => {
  const owner = accessUser(req, ctx);
  const body = jsonBody(req);
  const list = body.impressions;
  if (!Array.isArray(list) || list.length === 0) throw invalid('impressions');
  const receivedAt = ctx.now();
  const impressions = list.map((item: unknown, i): SimulatorImpression => {
    const field = (name: string) => `impressions[${i}].${name}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw invalid(`impressions[${i}]`);
    const { offerId, order, activityType, activityTimestamp } = item as Record<string, unknown>;
    if (typeof offerId !== 'string' || !ctx.catalogue.find(owner.fId, offerId)) throw invalid(field('offerId'));
    if (typeof order !== 'string' || order === '') throw invalid(field('order'));
    if (typeof activityType !== 'string' || !ACTIVITY_TYPES.has(activityType)) throw invalid(field('activityType'));
    if (typeof activityTimestamp !== 'string' || activityTimestamp === '') throw invalid(field('activityTimestamp'));
    return { offerId, order, activityType: activityType as SimulatorImpression['activityType'], activityTimestamp, receivedAt };
  });
  if (ctx.commit) for (const impression of impressions) ctx.state.addImpression(owner.fId, owner.userId, impression);
  return loyaltySuccess('Accepted');
};
