import type { Dispatcher } from 'undici';

/**
 * Thrown by {@link readBoundedBody} when the body is larger than the limit (the socket is destroyed
 * first). One frozen instance, compared by identity by the callers, which turn it into their own error.
 */
export const BODY_TOO_LARGE: Error = Object.freeze(new Error('body too large'));

/**
 * An undici answer's body, read while counting: a declared length past `limit` is refused before
 * reading; an undeclared one is aborted as soon as the bytes read pass it. Either way the socket is
 * destroyed and {@link BODY_TOO_LARGE} is thrown. Shared by the direct path and the axios adapter.
 */
export function readBoundedBody(res: Dispatcher.ResponseData, limit: number, as?: 'text'): Promise<string>;
export function readBoundedBody(res: Dispatcher.ResponseData, limit: number, as: 'text' | 'bytes'): Promise<string | Buffer>;
export async function readBoundedBody(res: Dispatcher.ResponseData, limit: number, as: 'text' | 'bytes' = 'text'): Promise<string | Buffer> {
  const length = res.headers['content-length'];
  if (length !== undefined) {
    const declared = Number(length);
    if (declared > limit) {
      res.body.destroy();
      throw BODY_TOO_LARGE;
    }
    // The parser reads exactly the declared length: bounded already.
    if (Number.isFinite(declared) && declared >= 0) return as === 'bytes' ? Buffer.from(await res.body.arrayBuffer()) : res.body.text();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) {
      res.body.destroy();
      throw BODY_TOO_LARGE;
    }
    chunks.push(chunk);
  }
  const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
  return as === 'bytes' ? bytes : bytes.toString('utf8');
}
