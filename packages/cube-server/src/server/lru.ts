/**
 * A least-recently-used map bounded by the total byte size of its values (decoded chunks, tiles). An entry
 * larger than the whole cap is not kept at all, so a cap of 0 turns the cache off.
 */
export class ByteLru<V> {
  constructor(
    readonly capBytes: number,
    private readonly sizeOf: (value: V) => number
  ) {}

  get size(): number {
    return this._map.size;
  }

  /** bytes held now, never more than `capBytes` */
  get bytes(): number {
    return this._bytes;
  }

  get(key: string): V | undefined {
    const value = this._map.get(key);
    if (value !== undefined) {
      // re-insert: Map iteration order is insertion order, so the first key is the least recently used
      this._map.delete(key);
      this._map.set(key, value);
    }
    return value;
  }

  has(key: string): boolean {
    return this._map.has(key);
  }

  set(key: string, value: V): void {
    const size = this.sizeOf(value);
    this.delete(key);
    if (size > this.capBytes) {
      return;
    }
    this._map.set(key, value);
    this._bytes += size;
    while (this._bytes > this.capBytes) {
      const oldest = this._map.keys().next().value as string;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const old = this._map.get(key);
    if (old !== undefined) {
      this._bytes -= this.sizeOf(old);
      this._map.delete(key);
    }
  }

  /** Drops every entry whose key starts with `prefix` (a cube that was rebuilt or removed). */
  deletePrefix(prefix: string): void {
    for (const key of [...this._map.keys()]) {
      if (key.startsWith(prefix)) {
        this.delete(key);
      }
    }
  }

  clear(): void {
    this._map.clear();
    this._bytes = 0;
  }

  private _map = new Map<string, V>();
  private _bytes = 0;
}
