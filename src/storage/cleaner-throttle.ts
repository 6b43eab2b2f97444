// The log cleaner's I/O budget (log.cleaner.io.max.bytes.per.second): after each window of bytes read and
// written, says how long the clean must wait so that its rate stays at or under the limit.

/** Default of log.cleaner.io.max.bytes.per.second: unlimited (Kafka's Double.MAX_VALUE). */
export const CLEANER_IO_MAX_BYTES_PER_SECOND_DEFAULT = Number.MAX_VALUE

/** Measuring periods restart after this long, so that idle time is not saved up as a burst (Kafka: 300 ms). */
const periodMs = 300

/** Rate accounting over periods; time from the caller (monotonic ms). */
export class IoThrottle {
  /** The limit; a change applies from the next `owedMs`. */
  bytesPerSecond: number
  #periodStartMs: number | undefined
  #periodBytes = 0

  constructor(bytesPerSecond: number = CLEANER_IO_MAX_BYTES_PER_SECOND_DEFAULT) {
    this.bytesPerSecond = bytesPerSecond
  }

  get unlimited(): boolean {
    return !(this.bytesPerSecond < CLEANER_IO_MAX_BYTES_PER_SECOND_DEFAULT)
  }

  /**
   * Counts `bytes` more of I/O done by `nowMs` and returns the milliseconds to wait before more (0 while
   * under the limit). The period restarts once `periodMs` has passed since its start.
   */
  owedMs(bytes: number, nowMs: number): number {
    if (this.unlimited) return 0
    if (this.#periodStartMs === undefined) this.#periodStartMs = nowMs
    this.#periodBytes += bytes
    const elapsedMs = nowMs - this.#periodStartMs
    const neededMs = (this.#periodBytes * 1000) / this.bytesPerSecond
    const owedMs = Math.max(0, neededMs - elapsedMs)
    if (elapsedMs + owedMs >= periodMs) {
      this.#periodStartMs = nowMs + owedMs
      this.#periodBytes = 0
    }
    return owedMs
  }
}
