import { PersonalizedOffersError } from './personalized-offers.error.js';

/** A method argument (other than a user id) that cannot be used; thrown before any network I/O. */
export class InvalidArgumentError extends PersonalizedOffersError {
  /** Always `'InvalidArgumentError'`: the class name, kept through minification for logs and `JSON.stringify`. */
  override name = 'InvalidArgumentError';

  constructor(
    /** The argument's name, e.g. `fId` or `unixTime`. */
    readonly argument: string,
    requirement: string,
  ) {
    super('INVALID_ARGUMENT', `Invalid ${argument}: it ${requirement}.`);
  }
}
