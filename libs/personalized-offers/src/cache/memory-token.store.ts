import { LRUCache } from 'lru-cache';
import type { TokenStore } from './token-store.interface.js';

/** The default store: an in-process LRU bounded by `maxEntries`, with an optional TTL in milliseconds. */
export class MemoryTokenStore implements TokenStore {
  private readonly lru: LRUCache<string, string>;

  constructor(options: { maxEntries: number; ttlMs?: number }) {
    this.lru = new LRUCache<string, string>({
      max: options.maxEntries,
      ...(options.ttlMs ? { ttl: options.ttlMs, ttlAutopurge: false } : {}),
    });
  }

  get(key: string): string | undefined {
    return this.lru.get(key);
  }

  set(key: string, token: string, ttlMs?: number): void {
    this.lru.set(key, token, ttlMs ? { ttl: ttlMs } : undefined);
  }

  delete(key: string): void {
    this.lru.delete(key);
  }

  /** Entries currently held. */
  get size(): number {
    return this.lru.size;
  }
}
