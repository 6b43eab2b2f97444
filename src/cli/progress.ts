// Progress of long operations on a terminal: one line on stderr rewritten in place, at most every 100 ms,
// only when stderr is a TTY and the output is not --json; otherwise nothing is written.

const REDRAW_MS = 100

/** A progress line; `update` is cheap to call per record, `done` clears the line. */
export class Progress {
  readonly #label: string
  readonly #enabled: boolean
  #total: number | undefined
  #lastDrawMs = 0
  #drawn = false

  /** `off`: never draw (--json output, or where a counter makes no sense). */
  constructor(label: string, options: { off?: boolean; total?: number } = {}) {
    this.#label = label
    this.#total = options.total
    this.#enabled = options.off !== true && process.stderr.isTTY === true
  }

  get enabled(): boolean {
    return this.#enabled
  }

  /** Shows `count` (of the total, when known); redrawn at most every 100 ms. */
  update(count: number, total = this.#total): void {
    if (!this.#enabled) return
    this.#total = total
    const nowMs = Date.now()
    if (this.#drawn && nowMs - this.#lastDrawMs < REDRAW_MS) return
    this.#lastDrawMs = nowMs
    this.#drawn = true
    const of = total === undefined ? '' : `/${total}`
    const percent = total === undefined || total === 0 ? '' : ` (${Math.floor((count / total) * 100)}%)`
    process.stderr.write(`\r\x1b[2K${this.#label} ${count}${of}${percent}`)
  }

  /** Clears the progress line (the caller prints its summary after). */
  done(): void {
    if (this.#enabled && this.#drawn) process.stderr.write('\r\x1b[2K')
    this.#drawn = false
  }
}
