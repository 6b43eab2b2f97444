// A manual Clock for tests and simulations: time moves only when `advance` is called, and due timers
// fire in order of due time (ties in order of scheduling).
import type { Clock, Timer } from '../core/index.js'

interface PendingTimer {
  dueMs: number
  sequence: number
  fn: () => void
  cancelled: boolean
}

/** Simulated clock. `nowMs` starts at `startMs` (epoch ms); `monotonicMs` starts at 0 and moves with it. */
export class SimClock implements Clock {
  #nowMs: number
  readonly #startMs: number
  #sequence = 0
  #timers: PendingTimer[] = []

  constructor(startMs = 1_700_000_000_000) {
    this.#nowMs = startMs
    this.#startMs = startMs
  }

  nowMs(): number {
    return this.#nowMs
  }

  monotonicMs(): number {
    return this.#nowMs - this.#startMs
  }

  setTimeout(fn: () => void, delayMs: number): Timer {
    const timer: PendingTimer = {
      dueMs: this.#nowMs + Math.max(0, delayMs),
      sequence: this.#sequence++,
      fn,
      cancelled: false,
    }
    this.#timers.push(timer)
    return {
      cancel: () => {
        timer.cancelled = true
      },
    }
  }

  /**
   * Deferred work runs on the real event loop's next turn, not on simulated time: it stands for "after
   * this turn's callbacks" (the storage write kick), which tests expect without advancing the clock.
   */
  defer(fn: () => void): void {
    setImmediate(fn)
  }

  /** Number of timers scheduled and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.#timers.filter((t) => !t.cancelled).length
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way (including timers scheduled by the
   * callbacks themselves) with the clock set to that timer's due time.
   */
  advance(ms: number): void {
    const targetMs = this.#nowMs + ms
    for (;;) {
      const next = this.#nextDue(targetMs)
      if (next === undefined) break
      this.#timers.splice(this.#timers.indexOf(next), 1)
      this.#nowMs = Math.max(this.#nowMs, next.dueMs)
      next.fn()
    }
    this.#nowMs = targetMs
  }

  /** Like `advance`, but lets promise callbacks run after each fired timer. */
  async advanceAsync(ms: number): Promise<void> {
    const targetMs = this.#nowMs + ms
    for (;;) {
      const next = this.#nextDue(targetMs)
      if (next === undefined) break
      this.#timers.splice(this.#timers.indexOf(next), 1)
      this.#nowMs = Math.max(this.#nowMs, next.dueMs)
      next.fn()
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    this.#nowMs = targetMs
  }

  #nextDue(targetMs: number): PendingTimer | undefined {
    this.#timers = this.#timers.filter((t) => !t.cancelled)
    let best: PendingTimer | undefined
    for (const t of this.#timers) {
      if (t.dueMs > targetMs) continue
      if (
        best === undefined ||
        t.dueMs < best.dueMs ||
        (t.dueMs === best.dueMs && t.sequence < best.sequence)
      )
        best = t
    }
    return best
  }
}
