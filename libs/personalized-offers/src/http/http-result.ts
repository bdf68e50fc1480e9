/** What came back from one HTTP exchange, before any interpretation. */
export interface HttpResult {
  status: number;
  /** Response headers, lower-case names. */
  headers: Record<string, string | undefined>;
  /** The raw body text. */
  body: string;
}
