/** What came back from one HTTP exchange, before any interpretation. */
export interface HttpResult {
  status: number;
  /** Response headers, lower-case names. */
  headers: Record<string, string | undefined>;
  /** The raw body text. */
  body: string;
  /**
   * The OAuth signature base string this attempt was signed over (signed requests only). Holds
   * secrets: only for the redacted debug line on a gateway refusal.
   */
  signatureBaseString?: string;
}
