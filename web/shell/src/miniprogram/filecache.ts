// An in-memory cache of files fetched by immutable URLs, bounded by bytes:
// the least recently used files leave first (the HTTP cache still has them).
// No imports: e2e/miniprogram.test.js runs it in node.

export class FileCache<T> {
  private entries = new Map<string, { value: Promise<T>; bytes: number }>();
  private total = 0;
  constructor(
    private readonly limit: number,
    private readonly sizeOf: (v: T) => number,
  ) {}

  /** The cached file of url, or load's; a failed load is not kept. */
  get(url: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(url);
    if (hit) {
      // Most recently used last.
      this.entries.delete(url);
      this.entries.set(url, hit);
      return hit.value;
    }
    const entry = { value: load(), bytes: 0 };
    this.entries.set(url, entry);
    entry.value.then(
      (v) => {
        if (this.entries.get(url) !== entry) return;
        entry.bytes = this.sizeOf(v);
        this.total += entry.bytes;
        this.evict();
      },
      () => {
        if (this.entries.get(url) === entry) this.entries.delete(url);
      },
    );
    return entry.value;
  }

  private evict(): void {
    for (const [url, e] of this.entries) {
      if (this.total <= this.limit) break;
      if (e.bytes === 0) continue; // still loading
      this.entries.delete(url);
      this.total -= e.bytes;
    }
  }

  /** The bytes of the files kept (for tests). */
  get bytes(): number {
    return this.total;
  }
}

