// Shares the event loop between long tasks that work in slices (decompressing and checking a Produce's
// batches, walking a stored batch, encoding a large answer): one slice of all of them per turn of the loop,
// in arrival order, so that N such tasks at once still leave every turn free for the connections' own I/O.

import type { Clock } from './clock.js'

/**
 * A queue of paused slice-workers. Each worker calls `turn()` between two slices of its work; the
 * scheduler resumes one waiting worker per turn of the event loop (through `Clock.defer`, after the I/O
 * already due), the longest-waiting first.
 *
 * Why not a `defer` per worker: node runs every setImmediate queued before its check phase in that one
 * phase, so 32 workers pausing with their own `defer` held each turn for 32 slices (32 ListOffsets
 * walking lz4 batches at once: a bystander's request waited up to 976 ms; one Produce's 99,000
 * partitions alone ~1 s before they were counted as work).
 */
export class SliceScheduler {
  readonly #clock: Clock
  readonly #waiting: (() => void)[] = []
  #scheduled = false
  #resumed = 0

  constructor(clock: Clock) {
    this.#clock = clock
  }

  /** Workers waiting for their next slice. */
  get waiting(): number {
    return this.#waiting.length
  }

  /** Slices handed out since start (for tests and metrics). */
  get resumed(): number {
    return this.#resumed
  }

  /** Resolves when this worker may run its next slice: on a later turn of the event loop, in FIFO order. */
  turn(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#waiting.push(resolve)
      this.#schedule()
    })
  }

  #schedule(): void {
    if (this.#scheduled) return
    this.#scheduled = true
    this.#clock.defer(() => this.#runOne())
  }

  #runOne(): void {
    this.#scheduled = false
    const next = this.#waiting.shift()
    if (next === undefined) return
    this.#resumed++
    // The worker's slice runs in the microtasks after this callback; when it pauses again it queues behind
    // the others, and the next turn of the loop resumes the next worker.
    next()
    if (this.#waiting.length > 0) this.#schedule()
  }
}
