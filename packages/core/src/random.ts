/** A small seeded generator (mulberry32): the same seed gives the same splits, batches and draws. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = (seed ^ 0x9e3779b9) >>> 0;
  }

  /**
   * The generator's whole state, a uint32: a generator restored from it with
   * {@link SeededRandom.fromState} continues the same sequence (checkpoints save it).
   */
  getState(): number {
    return this.state;
  }

  /** A generator that continues from a state read with {@link SeededRandom.getState}. */
  static fromState(state: number): SeededRandom {
    if (!Number.isInteger(state) || state < 0 || state > 0xffffffff) throw new RangeError(`not a SeededRandom state: ${state}`);
    const random = new SeededRandom(0);
    random.state = state;
    return random;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Shuffles in place (Fisher-Yates) and returns the array. */
  shuffle<
    T extends {
      /** Number of items. */
      length: number;
      [i: number]: unknown;
    },
  >(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
}
