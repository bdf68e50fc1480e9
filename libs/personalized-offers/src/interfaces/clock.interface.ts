/** Source of the current time; swap it (token `PERSONALIZED_OFFERS_CLOCK`) in tests. */
export interface Clock {
  /** Milliseconds since the Unix epoch, like `Date.now()`. */
  now(): number;
}
