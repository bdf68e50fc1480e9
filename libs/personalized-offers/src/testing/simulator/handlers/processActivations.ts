import { uuidFrom } from '../catalogue.js';
import { type SimulatorHandler, SimulatorRequestError, jsonBody, notFound, requireString, today } from '../handler.js';
import { accessUser, viewerOf } from '../loyalty.js';
import { assignmentView } from '../loyalty-views.js';
import { loyaltySuccess } from '../wire.js';

/**
 * POST /loyalty/offers/user-presentment/activations: `{offerId}` → one `Activation` with status
 * `QUEUED`, as Mastercard answers, but effective at once (a re-read through either API shows
 * it active). Already activated (through either API) is HTTP 400 `Offer is already ACTIVATED`;
 * so is an AUTO_ACTIVATION offer, with the reason appended, since it is active without a call.
 */
export const processActivations: SimulatorHandler = (req, ctx) => {
  const viewer = viewerOf(accessUser(req, ctx), ctx);
  const body = jsonBody(req);
  const offer = ctx.catalogue.find(viewer.fId, requireString(body.offerId, 'offerId'));
  if (!offer) throw notFound('offerId');
  if (offer.type === 'ALWAYSON') throw new SimulatorRequestError(400, 'Offer is already ACTIVATED (AUTO_ACTIVATION: no activation needed)');
  if (viewer.state.activations.has(offer.id)) throw new SimulatorRequestError(400, 'Offer is already ACTIVATED');
  if (!ctx.commit) return loyaltySuccess({});
  const activation = ctx.state.activate(viewer.fId, viewer.userId, offer);
  return loyaltySuccess({
    activations: [
      {
        assignments: [assignmentView(offer, viewer, today(ctx))],
        id: uuidFrom(`activation-request:${activation.activationId}`),
        status: 'QUEUED',
        offerId: offer.id,
      },
    ],
  });
};
