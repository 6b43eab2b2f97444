// The Clock port: every piece of Brook that reads time, waits, or defers work to a later turn of the event
// loop does so through it, so that tests and simulations can run on simulated time.

/** A cancellable timer handle. */
export interface Timer {
  /** Stops the timer; its function is not called (nothing happens if it already ran). */
  cancel(): void
}

/** Time source and timers. `nowMs` is wall-clock epoch milliseconds (record timestamps use it). */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number
  /** Monotonic milliseconds for measuring intervals; unrelated to the epoch. */
  monotonicMs(): number
  /** Calls `fn` once after `delayMs`. */
  setTimeout(fn: () => void, delayMs: number): Timer
  /**
   * Calls `fn` once on a later turn of the event loop, after the I/O callbacks already due (node's
   * setImmediate on the real clock). Used to gather work started in one turn (the storage write kick).
   */
  defer(fn: () => void): void
}
