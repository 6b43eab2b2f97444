// A small seeded pseudo-random generator (mulberry32), so simulations replay exactly from their seed.

import type { Random } from '../core/index.js'

/** Deterministic PRNG: the same seed yields the same sequence on every platform. Not for cryptography. */
export class SeededRandom implements Random {
  readonly seed: number
  #state: number

  constructor(seed: number) {
    this.seed = seed >>> 0
    this.#state = this.seed
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0
    let t = this.#state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [0, endExclusive). */
  int(endExclusive: number): number {
    return Math.floor(this.next() * endExclusive)
  }

  /** An integer in [first, last], both inclusive. */
  intBetween(first: number, last: number): number {
    return first + this.int(last - first + 1)
  }

  /** True with probability `probability`. */
  chance(probability: number): boolean {
    return this.next() < probability
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]
  }

  /** `length` random bytes. */
  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length)
    for (let i = 0; i < length; i++) out[i] = this.int(256)
    return out
  }
}
