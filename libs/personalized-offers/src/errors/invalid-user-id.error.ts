import { PersonalizedOffersError } from './personalized-offers.error.js';

/** Why a user id (or fId) was refused. */
export type IdentifierProblem = 'not-a-string' | 'empty' | 'too-long' | 'contains-colon' | 'contains-control-character' | 'malformed-unicode';

const REASONS: Record<IdentifierProblem, string> = {
  'not-a-string': 'must be a string',
  empty: 'must not be empty',
  'too-long': 'must be at most 256 characters',
  'contains-colon': 'must not contain ":" (it separates the AuthInfo fields)',
  'contains-control-character': 'must not contain control characters',
  'malformed-unicode': 'must be well-formed Unicode (no lone surrogates)',
};

/** Describes an identifier problem in words; the identifier itself is never echoed. */
export function describeIdentifierProblem(problem: IdentifierProblem): string {
  return REASONS[problem];
}

/** A user id that cannot be put into AuthInfo. Thrown before any network I/O. */
export class InvalidUserIdError extends PersonalizedOffersError {
  /** Always `'InvalidUserIdError'`: the class name, kept through minification for logs and `JSON.stringify`. */
  override name = 'InvalidUserIdError';

  /** @param reason Why the id was refused (see {@link IdentifierProblem}); the id itself is never echoed. */
  constructor(readonly reason: IdentifierProblem) {
    super('INVALID_USER_ID', `Invalid userId: it ${describeIdentifierProblem(reason)}.`);
  }
}
