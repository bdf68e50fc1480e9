// @Type needs the Reflect metadata API; Nest apps load it anyway, this makes the file safe alone.
import 'reflect-metadata';
import { ResponseStatus } from '../../user-token/user-token.response.js';
import { Counter, Envelope, LegacyStatus, ListOf, Nested, Text } from './wire.decorators.js';

/** One user-offer feedback: `Feedback` is `"0"` (dislike) or `"1"` (like); a number 0/1 becomes a string. */
export class UserFeedbackItem {
  /** System-wide identifier of the offer (campaign) the feedback is about. */
  @Text() OfferId?: string;
  /** The user's response to the offer: `"0"` (dislike) or `"1"` (like). */
  @Text() Feedback?: string;
}

/** `Items` of GET /plo/v1/userfeedback: the XML-style wrapper; a single object becomes a one-element list. */
export class UserFeedbackItems {
  /** The feedback entries of this page. */
  @ListOf(() => UserFeedbackItem) UserFeedback?: UserFeedbackItem[];
}

/** The `Response` of GET /plo/v1/userfeedback (v1.5 only); counters are numbers (sent as strings). */
export class UserFeedbackListResult {
  /** The legacy response status: `Code` `"600"` and `Message` `"Success"` on success. */
  @LegacyStatus() Status!: ResponseStatus;
  /** Count of all items available for the request's criteria. */
  @Counter() TotalCount?: number;
  /** The 1-based number of the page returned. */
  @Counter() CurrentPage?: number;
  /** Count of pages available at this page size. */
  @Counter() NumberOfPages?: number;
  /** Count of items per page (the requested page size). */
  @Counter() ItemsPerPage?: number;
  /** The feedback entries of this page. */
  @Nested(() => UserFeedbackItems) Items?: UserFeedbackItems;
}

/** The 200 body of GET /plo/v1/userfeedback: `{"Response":{…}}`. */
export class UserFeedbackListResponse {
  /** The response payload inside the `Response` envelope. */
  @Envelope(() => UserFeedbackListResult) Response!: UserFeedbackListResult;
}

/** The `Response` of POST /plo/v2/userfeedback (v1.5) and POST /plo/v1/userfeedback (v1.3). */
export class UserFeedbackResult {
  /** The legacy response status: `Code` `"600"` and `Message` `"Success"` on success. */
  @LegacyStatus() Status!: ResponseStatus;
  /** The feedback as recorded. */
  @Nested(() => UserFeedbackItem) UserFeedback?: UserFeedbackItem;
}

/** The 200 body of POST /plo/v2/userfeedback and v1.3 POST /plo/v1/userfeedback: `{"Response":{…}}`. */
export class UserFeedbackResponse {
  /** The response payload inside the `Response` envelope. */
  @Envelope(() => UserFeedbackResult) Response!: UserFeedbackResult;
}
