// A broker-wide count of bytes against a limit, shared by all connections: request bytes being read or
// processed (queued.max.request.bytes), and response bytes queued for clients. Bytes that must be
// allocated ask first and may wait; bytes already in memory are counted without being refused.
import { assert } from '../core/index.js'

interface Waiter {
  bytes: number
  grant: () => void
}

/** Counts bytes in use against `limitBytes`. Not thread-safe (one event loop). */
export class ByteBudget {
  readonly limitBytes: number
  #usedBytes = 0
  #waiters: Waiter[] = []

  constructor(limitBytes: number) {
    assert(Number.isSafeInteger(limitBytes) && limitBytes > 0, `budget limit ${limitBytes} must be positive`)
    this.limitBytes = limitBytes
  }

  /** Bytes counted now; may exceed the limit by bytes that were `add`ed. */
  get usedBytes(): number {
    return this.#usedBytes
  }

  /** Number of callers waiting for room. */
  get waiting(): number {
    return this.#waiters.length
  }

  /** Takes `bytes` if they fit under the limit; false (nothing taken) if not. */
  tryAcquire(bytes: number): boolean {
    assert(bytes >= 0, `acquire of ${bytes} bytes`)
    if (this.#usedBytes + bytes > this.limitBytes) return false
    this.#usedBytes += bytes
    return true
  }

  /**
   * Calls `grant` once `bytes` have been taken for the caller (on a later release). Waiters are served in
   * arrival order, but one that does not fit yet does not hold back smaller ones behind it. Returns a
   * function that withdraws the wait (no effect once granted).
   */
  acquireLater(bytes: number, grant: () => void): () => void {
    assert(bytes <= this.limitBytes, `${bytes} bytes can never fit a budget of ${this.limitBytes}`)
    const waiter: Waiter = { bytes, grant }
    this.#waiters.push(waiter)
    return () => {
      const index = this.#waiters.indexOf(waiter)
      if (index >= 0) this.#waiters.splice(index, 1)
    }
  }

  /** Counts `bytes` already in memory; never refused, so the count may go over the limit. */
  add(bytes: number): void {
    assert(bytes >= 0, `add of ${bytes} bytes`)
    this.#usedBytes += bytes
  }

  /** Gives back `bytes` taken or added before, and grants waiters that now fit. */
  release(bytes: number): void {
    assert(bytes >= 0 && bytes <= this.#usedBytes, `release of ${bytes} bytes with ${this.#usedBytes} in use`)
    this.#usedBytes -= bytes
    if (this.#waiters.length === 0) return
    const granted: Waiter[] = []
    this.#waiters = this.#waiters.filter((waiter) => {
      if (this.#usedBytes + waiter.bytes > this.limitBytes) return true
      this.#usedBytes += waiter.bytes
      granted.push(waiter)
      return false
    })
    for (const waiter of granted) waiter.grant()
  }
}
