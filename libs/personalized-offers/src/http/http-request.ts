/** A request ready to go on the wire: its URL and body are exactly what gets signed. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Absolute URL, query included, already encoded. */
  url: string;
  /** The URL's path without the query, for log lines (query values are secrets). */
  path: string;
  /** The id of the operation that sent it, for telemetry and logs (an id, never a value). */
  operation?: string;
  headers: Record<string, string>;
  /** JSON text, sent and signed byte for byte. */
  body?: string;
}
