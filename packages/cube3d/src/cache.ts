/**
 * A chunk cache bounded in bytes (least recently used first out), which also merges concurrent requests for the
 * same key, so that faces sharing a chunk fetch it once. Lexcube's cache grows without bound; this one cannot.
 */
export class ChunkCache<T> {
  private readonly entries = new Map<string, { value: T; bytes: number }>();
  private readonly pending = new Map<string, Promise<T>>();
  private held = 0;

  constructor(readonly maxBytes: number) {
    if (!(maxBytes > 0)) {
      throw new Error(`The chunk cache needs a positive size in bytes, not ${maxBytes}.`);
    }
  }

  /** bytes held now (never above maxBytes, except for one entry larger than the whole cache while in use) */
  get bytes(): number {
    return this.held;
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The cached value of `key`, or the one `load` gives (loaded once however many callers ask meanwhile). */
  async get(key: string, load: () => Promise<{ value: T; bytes: number }>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit) {
      // re-inserted: a Map iterates in insertion order, so the first key is the least recently used
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value;
    }
    const waiting = this.pending.get(key);
    if (waiting) {
      return waiting;
    }
    const loading = load()
      .then(({ value, bytes }) => {
        this.entries.set(key, { value, bytes });
        this.held += bytes;
        this.evict(key);
        return value;
      })
      .finally(() => this.pending.delete(key));
    this.pending.set(key, loading);
    return loading;
  }

  clear(): void {
    this.entries.clear();
    this.held = 0;
  }

  private evict(keep: string): void {
    for (const [key, entry] of this.entries) {
      if (this.held <= this.maxBytes) {
        return;
      }
      if (key !== keep) {
        this.entries.delete(key);
        this.held -= entry.bytes;
      }
    }
  }
}
