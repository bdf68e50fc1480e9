import { PersonalizedOffersError } from './personalized-offers.error.js';

/**
 * Bad module options or environment, raised at application start-up. Names the settings at
 * fault and never echoes their values.
 */
export class PersonalizedOffersConfigError extends PersonalizedOffersError {
  /** Always `'PersonalizedOffersConfigError'`: the class name, kept through minification for logs and `JSON.stringify`. */
  override name = 'PersonalizedOffersConfigError';
  /** The option paths (`authInfo.key`) or environment variables (`PLO_FID`) at fault. */
  readonly settings: string[];

  constructor(settings: string | string[], message: string) {
    super('CONFIG_INVALID', message);
    this.settings = Array.isArray(settings) ? settings : [settings];
  }
}
