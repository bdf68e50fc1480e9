/**
 * Base class of every error this module throws. Its fields never hold key material, IVs,
 * AuthInfo values, Authorization headers or tokens, so it is safe to log and serialize.
 */
export class PersonalizedOffersError extends Error {
  /** Always `'PersonalizedOffersError'`: the class name, kept through minification for logs and `JSON.stringify`. */
  override name = 'PersonalizedOffersError';
  /** A stable, machine-readable code, e.g. `INVALID_USER_ID`. */
  readonly code: string;
  /** The v1.5 `operationId` of the call that failed (e.g. `matchedOffers`): an id, never a value. */
  declare operation?: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** What `JSON.stringify(error)` shows: the name, code, message and the subclass's own fields. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
    for (const [k, v] of Object.entries(this)) {
      if (!(k in out) && k !== 'cause') out[k] = v;
    }
    return out;
  }
}
