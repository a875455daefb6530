/**
 * The first K items in an order, over a stream of any length, in O(K) memory: the buffer is
 * sorted and cut back to K whenever it reaches 2K (amortized O(n log K)). Ties keep arrival order.
 */
export class TopK<T> {
  private items: { item: T; seq: number }[] = [];
  private seq = 0;
  private readonly cmp: (a: { item: T; seq: number }, b: { item: T; seq: number }) => number;

  constructor(
    private readonly k: number,
    compare: (a: T, b: T) => number,
  ) {
    this.cmp = (a, b) => compare(a.item, b.item) || a.seq - b.seq;
  }

  push(item: T): void {
    this.items.push({ item, seq: this.seq++ });
    if (this.items.length >= 2 * Math.max(this.k, 1)) this.trim();
  }

  private trim(): void {
    this.items.sort(this.cmp);
    this.items.length = Math.min(this.items.length, this.k);
  }

  result(): T[] {
    this.trim();
    return this.items.map((x) => x.item);
  }
}
