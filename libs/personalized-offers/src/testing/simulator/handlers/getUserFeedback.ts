import { type SimulatorHandler, feedbackFilter, pageOf, param, queryUser } from '../handler.js';
import { legacySuccess } from '../wire.js';

/**
 * GET /plo/v1/userfeedback: the user's feedback, filtered by `offer_id` and `feedback` (the
 * only snake/lower-case legacy names). It takes no paging input, so everything is on page 1.
 */
export const getUserFeedback: SimulatorHandler = (req, ctx) => {
  const user = queryUser(req, ctx);
  const offerId = param(req, 'offer_id');
  const wanted = feedbackFilter(req, 'feedback');
  const items = [...ctx.state.user(user.fId, user.userId).feedback]
    .filter(([id, value]) => (offerId === undefined || id === offerId) && (!wanted || wanted.has(value)))
    .map(([id, value]) => ({ OfferId: id, Feedback: String(value) }));
  const page = pageOf(items, { page: 1, perPage: Math.max(items.length, 1) });
  return legacySuccess({ ...page.counters, Items: { UserFeedback: page.items } });
};
