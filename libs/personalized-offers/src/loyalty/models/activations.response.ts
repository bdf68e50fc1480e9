// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { UserAssignment } from './offers.response.js';
import { ListOf, Text } from './wire.decorators.js';

/** One `activations` entry: an activation request (`status` `QUEUED`: activation is asynchronous). */
export class Activation {
  /** The activation request's UUID. */
  @Text() id?: string;
  @Text() status?: string;
  @Text() offerId?: string;
  @ListOf(() => UserAssignment) assignments?: UserAssignment[];
}

/** The 200 body of POST /loyalty/offers/user-presentment/activations. */
export class Activations {
  @ListOf(() => Activation) activations?: Activation[];
}
