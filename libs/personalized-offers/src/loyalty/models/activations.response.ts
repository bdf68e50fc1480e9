// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { UserAssignment } from './offers.response.js';
import { ListOf, Text } from './wire.decorators.js';

/** One `activations` entry: an activation request (`status` `QUEUED`: activation is asynchronous). */
export class Activation {
  /** The activation request's UUID. */
  @Text() id?: string;
  /** State of the activation request (`QUEUED`). */
  @Text() status?: string;
  /** System-wide identifier of the offer (campaign) being activated. */
  @Text() offerId?: string;
  /** The user's assignments of the offer created by the activation. */
  @ListOf(() => UserAssignment) assignments?: UserAssignment[];
}

/** The 200 body of POST /loyalty/offers/user-presentment/activations. */
export class Activations {
  /** One activation request per requested offer. */
  @ListOf(() => Activation) activations?: Activation[];
}
