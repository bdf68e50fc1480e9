// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { ResponseStatus } from '../../user-token/user-token.response.js';
import { Counter, Envelope, LegacyStatus, ListOf, Nested, Text } from './wire.decorators.js';

/** One user-offer feedback: `Feedback` is `"0"` (dislike) or `"1"` (like); a number 0/1 becomes a string. */
export class UserFeedbackItem {
  @Text() OfferId?: string;
  @Text() Feedback?: string;
}

/** `Items` of GET /plo/v1/userfeedback: the XML-style wrapper; a single object becomes a one-element list. */
export class UserFeedbackItems {
  @ListOf(() => UserFeedbackItem) UserFeedback?: UserFeedbackItem[];
}

/** The `Response` of GET /plo/v1/userfeedback (v1.5 only); counters are numbers (sent as strings). */
export class UserFeedbackListResult {
  @LegacyStatus() Status!: ResponseStatus;
  @Counter() TotalCount?: number;
  @Counter() CurrentPage?: number;
  @Counter() NumberOfPages?: number;
  @Counter() ItemsPerPage?: number;
  @Nested(() => UserFeedbackItems) Items?: UserFeedbackItems;
}

/** The 200 body of GET /plo/v1/userfeedback: `{"Response":{…}}`. */
export class UserFeedbackListResponse {
  @Envelope(() => UserFeedbackListResult) Response!: UserFeedbackListResult;
}

/** The `Response` of POST /plo/v2/userfeedback (v1.5) and POST /plo/v1/userfeedback (v1.3). */
export class UserFeedbackResult {
  @LegacyStatus() Status!: ResponseStatus;
  @Nested(() => UserFeedbackItem) UserFeedback?: UserFeedbackItem;
}

/** The 200 body of POST /plo/v2/userfeedback and v1.3 POST /plo/v1/userfeedback: `{"Response":{…}}`. */
export class UserFeedbackResponse {
  @Envelope(() => UserFeedbackResult) Response!: UserFeedbackResult;
}
