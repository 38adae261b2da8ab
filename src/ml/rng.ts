// Seeded, serialisable pseudo-random generator (xoshiro128**) for shuffling, init, augmentation and dropout.

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;
const STATE_RE = /^xo128:([0-9a-f]{8})([0-9a-f]{8})([0-9a-f]{8})([0-9a-f]{8})$/;

/** murmur3's finaliser: a bijection on u32 with full avalanche, so neighbouring seeds give unrelated states. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

const hex8 = (x: number): string => (x >>> 0).toString(16).padStart(8, '0');

export class Rng {
  // Kept as int32 fields (not a typed array): V8 keeps them unboxed, which matters in dropoutMask.
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`Rng seed must be a safe integer, got ${seed}`);
    // Split into two u32 halves so every safe integer (negatives included) gets its own stream:
    // (a, b) is injective in (lo, hi), hence in seed.
    const hi = Math.floor(seed / TWO_32);
    const lo = seed - hi * TWO_32;
    this.a = fmix32(lo | 0);
    // hi lies in [-2^21, 2^21), so hi ^ 0x9e3779b9 is never 0 and the state is never all-zero.
    this.b = fmix32((hi | 0) ^ 0x9e3779b9);
    this.c = fmix32((lo + 0x7f4a7c15) | 0);
    this.d = fmix32((hi + 0x632be5ab) | 0);
    // A few rounds so the first outputs do not echo the structured seeding.
    for (let i = 0; i < 8; i++) this.nextU32();
  }

  static fromState(state: string): Rng {
    const m = STATE_RE.exec(state);
    if (!m) throw new Error(`Rng.fromState: not a state string: ${JSON.stringify(state)}`);
    const [a, b, c, d] = m.slice(1).map((h) => parseInt(h, 16) | 0) as [number, number, number, number];
    if ((a | b | c | d) === 0) throw new Error('Rng.fromState: the all-zero state is invalid for xoshiro128**');
    const r = new Rng(0);
    r.a = a;
    r.b = b;
    r.c = c;
    r.d = d;
    return r;
  }

  /** The full state; the prefix names the algorithm so a future change cannot silently misread it. */
  state(): string {
    return `xo128:${hex8(this.a)}${hex8(this.b)}${hex8(this.c)}${hex8(this.d)}`;
  }

  nextU32(): number {
    const b = this.b;
    const m = Math.imul(b, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9);
    const t = b << 9;
    this.c ^= this.a;
    this.d ^= b;
    this.b = b ^ this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = (this.d << 11) | (this.d >>> 21);
    return result >>> 0;
  }

  /** 53 random bits, so every double in [0, 1) with that spacing is reachable and 1 never is. */
  uniform(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / TWO_53;
  }

  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Box-Muller without caching the second value, so state() alone captures everything. */
  normal(): number {
    const u = 1 - this.uniform(); // (0, 1]: log(0) must not happen
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [0, n) for 1 <= n <= 2^32, by rejection so no value is favoured. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_32) {
      throw new RangeError(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    }
    const limit = TWO_32 - (TWO_32 % n); // largest multiple of n that fits; draws above it are biased
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  permutation(n: number): Uint32Array {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`Rng.permutation: bad length ${n}`);
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    this.shuffle(p);
    return p;
  }

  shuffle(a: Uint32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
  }

  /**
   * Inverted dropout: zero with probability p, else 1/(1-p) so the expected activation is unchanged.
   * One u32 per element compared to round(p*2^32), so p is honoured to within 2^-33.
   */
  dropoutMask(out: Float32Array, p: number): void {
    if (!(p >= 0 && p < 1)) throw new RangeError(`Rng.dropoutMask: p must be in [0, 1), got ${p}`);
    const keep = 1 / (1 - p);
    const threshold = Math.round(p * TWO_32);
    // The generator is inlined with locals: this runs on ~100k elements every training step.
    let a = this.a;
    let b = this.b;
    let c = this.c;
    let d = this.d;
    for (let i = 0; i < out.length; i++) {
      const m = Math.imul(b, 5);
      const r = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
      const t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = (d << 11) | (d >>> 21);
      out[i] = r < threshold ? 0 : keep;
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }
}
