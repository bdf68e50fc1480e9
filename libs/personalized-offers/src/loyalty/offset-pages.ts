import type { Logger } from '@nestjs/common';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';

/** Most pages an iterator fetches unless told otherwise. */
export const DEFAULT_MAX_OFFSET_PAGES = 100;
/** The server's default `limit`, used to step when the caller gives none. */
const SERVER_LIMIT = 25;

/**
 * Every item of an offset/limit list: fetches from `params.offset` (default 0) in steps of
 * `params.limit` (default 25) until a short or empty page or `total` is reached, at most
 * `maxPages` pages (then a warning: more items remain).
 */
export async function* offsetPages<P extends { offset?: number; limit?: number }, R extends { total?: number }, T>(
  params: P,
  maxPages: number | undefined,
  fetch: (params: P) => Promise<R>,
  items: (page: R) => T[] | undefined,
  logger: Logger,
  operation: string,
): AsyncGenerator<T> {
  const cap = maxPages ?? DEFAULT_MAX_OFFSET_PAGES;
  if (!Number.isInteger(cap) || cap < 1) throw new InvalidArgumentError('maxPages', 'must be a whole number from 1');
  const limit = params.limit ?? SERVER_LIMIT;
  let offset = params.offset ?? 0;
  for (let fetched = 0; ; fetched++) {
    if (fetched === cap) {
      logger.warn(`${operation}: stopped after ${cap} pages (maxPages); more items remain.`);
      return;
    }
    const page = await fetch({ ...params, offset, limit });
    const list = items(page) ?? [];
    yield* list;
    offset += list.length;
    if (list.length === 0 || list.length < limit || (page.total !== undefined && offset >= page.total)) return;
  }
}
