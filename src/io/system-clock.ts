// The real Clock adapter: wall-clock time from Date, monotonic time from performance.now, node timers and
// setImmediate.
import type { Clock, Timer } from '../core/index.js'

/**
 * Clock backed by the process clock and node timers. Timers keep the process alive unless the clock
 * was built with `{ unrefTimers: true }` (useful for background housekeeping).
 */
export class SystemClock implements Clock {
  readonly #unrefTimers: boolean

  constructor(options?: { unrefTimers?: boolean }) {
    this.#unrefTimers = options?.unrefTimers ?? false
  }

  nowMs(): number {
    return Date.now()
  }

  monotonicMs(): number {
    return performance.now()
  }

  setTimeout(fn: () => void, delayMs: number): Timer {
    const timer = setTimeout(fn, Math.max(0, delayMs))
    if (this.#unrefTimers) timer.unref()
    return { cancel: () => clearTimeout(timer) }
  }

  defer(fn: () => void): void {
    setImmediate(fn)
  }
}
