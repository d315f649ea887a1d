function nextPow2(n: number): number {
  let c = 16;
  while (c < n) c *= 2;
  return c;
}

/**
 * A first-in, first-out queue on a power-of-two circular array that doubles when full: O(1) `push` and `shift`
 * without the O(n) `Array.prototype.shift`, and no bound of its own (the caller decides when to refuse).
 */
export class RingBuffer<T> {
  private _items: (T | undefined)[];
  private _mask: number;
  private _head = 0;
  private _size = 0;

  /** `initialCapacity` is rounded up to a power of two, at least 16. */
  constructor(initialCapacity: number) {
    const capacity = nextPow2(initialCapacity);
    this._items = new Array<T | undefined>(capacity).fill(undefined);
    this._mask = capacity - 1;
  }

  /** Items in the buffer. */
  get size(): number {
    return this._size;
  }

  /** Appends an item at the tail, doubling the capacity first when full. */
  push(item: T): void {
    if (this._size > this._mask) this._grow();
    this._items[(this._head + this._size) & this._mask] = item;
    this._size++;
  }

  /** Removes and returns the item at the head, or `undefined` when empty; the slot is cleared for the collector. */
  shift(): T | undefined {
    if (this._size === 0) return undefined;
    const item = this._items[this._head];
    this._items[this._head] = undefined;
    this._head = (this._head + 1) & this._mask;
    this._size--;
    return item;
  }

  private _grow(): void {
    const old = this._items;
    const capacity = old.length * 2;
    const items = new Array<T | undefined>(capacity).fill(undefined);
    for (let i = 0; i < this._size; i++) items[i] = old[(this._head + i) & this._mask];
    this._items = items;
    this._mask = capacity - 1;
    this._head = 0;
  }
}
