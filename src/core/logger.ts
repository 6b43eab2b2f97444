// Structured logs: one JSON object per line, with a level, so they can be read by people and by tools.
// The time of each line comes from the Clock, so a simulation's logs carry simulated time. Repeated lines
// are rate-limited (#9): a client reconnecting in a loop must not fill the disk with the same warning.
import type { Clock } from './clock.js'

/** Severity of a log line, least to most severe. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

/** Where Brook and the SDK log: one call per line, a message and structured fields. Pass your own to the SDK. */
export interface Logger {
  /** Detail for debugging (retries, reconnections). */
  debug(message: string, fields?: Record<string, unknown>): void
  /** Normal events. */
  info(message: string, fields?: Record<string, unknown>): void
  /** Something failed and was handled (a background commit, an acknowledgement). */
  warn(message: string, fields?: Record<string, unknown>): void
  /** Something failed that needs attention (a user callback threw). */
  error(message: string, fields?: Record<string, unknown>): void
  /** A logger that adds `fields` to every line. */
  child(fields: Record<string, unknown>): Logger
}

/** The window over which repeated lines are counted instead of written (`repeatIntervalMs`). */
export const LOG_REPEAT_INTERVAL_MS = 10_000
/**
 * Lines with the same level and message written per window (`sameMessageLinesMax`), whatever their fields;
 * a line identical to one already written in the window (same message and fields) is never written twice.
 */
export const LOG_SAME_MESSAGE_LINES_MAX = 20
/** Distinct (level, message) pairs tracked at once; lines beyond it are written unlimited. */
export const LOG_REPEAT_KEYS_MAX = 1000

/**
 * Log levels that can change at runtime (Kafka's BROKER_LOGGER resource): the root level, and a level per
 * named logger (a child logger's `component` field) that overrides it. Loggers register their names as
 * children are made, so the names can be listed.
 */
export class LogLevels {
  #root: LogLevel
  readonly #own = new Map<string, LogLevel>()
  readonly #names = new Set<string>()

  constructor(root: LogLevel) {
    this.#root = root
  }

  /** The level of loggers without their own. */
  get root(): LogLevel {
    return this.#root
  }

  set root(level: LogLevel) {
    this.#root = level
  }

  /** Notes that a logger named `name` exists. */
  register(name: string): void {
    this.#names.add(name)
  }

  /** Names of the loggers made so far, sorted (the root logger not included). */
  names(): string[] {
    return [...this.#names].sort()
  }

  /** The effective level of logger `name` (undefined: the root logger). */
  levelOf(name: string | undefined): LogLevel {
    return (name === undefined ? undefined : this.#own.get(name)) ?? this.#root
  }

  /** Whether logger `name` has its own level rather than the root's. */
  hasOwnLevel(name: string): boolean {
    return this.#own.has(name)
  }

  /** Gives logger `name` its own level, or (undefined) makes it follow the root again. */
  setLevel(name: string, level: LogLevel | undefined): void {
    if (level === undefined) this.#own.delete(name)
    else this.#own.set(name, level)
  }
}

/** Options of `createLogger`. */
export interface LoggerOptions {
  level?: LogLevel
  /** Levels that can change at runtime; when given, they decide instead of `level`. */
  levels?: LogLevels
  write?: (line: string) => void
  fields?: Record<string, unknown>
  /**
   * Time of each line; main.ts passes the SystemClock, simulations their SimClock. With `setTimeout` the
   * count of suppressed lines is written when their window ends; without it, at the next line logged.
   */
  clock?: Pick<Clock, 'nowMs'> & Partial<Pick<Clock, 'setTimeout'>>
  /** Window of the repeat limit in ms; 0 turns the limit off. Default LOG_REPEAT_INTERVAL_MS. */
  repeatIntervalMs?: number
  /** Lines per (level, message) per window. Default LOG_SAME_MESSAGE_LINES_MAX. */
  sameMessageLinesMax?: number
}

/**
 * A logger writing lines at or above `level` to `write` (stderr by default). Within each window of
 * `repeatIntervalMs`, a line identical to one already written (level, message and fields) is dropped, and
 * at most `sameMessageLinesMax` lines of one level and message are written; when the window ends, one line
 * `{ msg, suppressed: N, intervalMs }` says how many were dropped. Children share their parent's limit.
 */
export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line))
  const clock = options.clock ?? wallClock
  const limiter =
    (options.repeatIntervalMs ?? LOG_REPEAT_INTERVAL_MS) > 0
      ? new RepeatLimiter(
          options.repeatIntervalMs ?? LOG_REPEAT_INTERVAL_MS,
          options.sameMessageLinesMax ?? LOG_SAME_MESSAGE_LINES_MAX,
          clock,
          write,
        )
      : null
  const levels = options.levels ?? new LogLevels(options.level ?? 'info')
  return buildLogger(levels, write, clock, limiter, options.fields ?? {})
}

function buildLogger(
  levels: LogLevels,
  write: (line: string) => void,
  clock: Pick<Clock, 'nowMs'>,
  limiter: RepeatLimiter | null,
  base: Record<string, unknown>,
): Logger {
  const name = typeof base.component === 'string' ? base.component : undefined
  if (name !== undefined) levels.register(name)
  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (levelRank[level] < levelRank[levels.levelOf(name)]) return
    const nowMs = clock.nowMs()
    const body = JSON.stringify({ level, msg: message, ...base, ...fields }, errorReplacer)
    if (limiter !== null && !limiter.admit(level, message, body, base, nowMs)) return
    // The time goes first, so it is spliced in rather than made part of the key above.
    write(`{"time":"${new Date(nowMs).toISOString()}",${body.slice(1)}\n`)
  }
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (fields) => buildLogger(levels, write, clock, limiter, { ...base, ...fields }),
  }
}

interface RepeatWindow {
  readonly level: LogLevel
  readonly message: string
  readonly base: Record<string, unknown>
  readonly endMs: number
  /** Bodies written in this window (at most sameMessageLinesMax of them). */
  readonly written: Set<string>
  suppressed: number
}

/** The repeat limit shared by a logger and its children. */
class RepeatLimiter {
  readonly #windows = new Map<string, RepeatWindow>()
  #sweepPending = false
  /** The earliest end of an open window: no sweep is needed before it. */
  #nextEndMs = Number.POSITIVE_INFINITY

  constructor(
    readonly intervalMs: number,
    readonly linesMax: number,
    readonly clock: Pick<Clock, 'nowMs'> & Partial<Pick<Clock, 'setTimeout'>>,
    readonly write: (line: string) => void,
  ) {}

  /** True when the line is to be written; false when it is counted as suppressed. */
  admit(
    level: LogLevel,
    message: string,
    body: string,
    base: Record<string, unknown>,
    nowMs: number,
  ): boolean {
    this.#sweep(nowMs)
    const key = `${level}\u0000${message}`
    let window = this.#windows.get(key)
    if (window === undefined) {
      if (this.#windows.size >= LOG_REPEAT_KEYS_MAX) return true
      window = { level, message, base, endMs: nowMs + this.intervalMs, written: new Set(), suppressed: 0 }
      this.#windows.set(key, window)
      this.#nextEndMs = Math.min(this.#nextEndMs, window.endMs)
    }
    if (window.written.size < this.linesMax && !window.written.has(body)) {
      window.written.add(body)
      return true
    }
    window.suppressed += 1
    this.#scheduleSweep(window.endMs - nowMs)
    return false
  }

  /** Closes the windows that have ended, writing the count of each that suppressed lines. */
  #sweep(nowMs: number): void {
    if (nowMs < this.#nextEndMs) return
    this.#nextEndMs = Number.POSITIVE_INFINITY
    for (const [key, window] of this.#windows) {
      if (window.endMs > nowMs) {
        this.#nextEndMs = Math.min(this.#nextEndMs, window.endMs)
        continue
      }
      this.#windows.delete(key)
      if (window.suppressed === 0) continue
      const summary = JSON.stringify(
        {
          level: window.level,
          msg: window.message,
          ...window.base,
          suppressed: window.suppressed,
          intervalMs: this.intervalMs,
        },
        errorReplacer,
      )
      this.write(`{"time":"${new Date(nowMs).toISOString()}",${summary.slice(1)}\n`)
    }
  }

  #scheduleSweep(delayMs: number): void {
    if (this.#sweepPending || this.clock.setTimeout === undefined) return
    this.#sweepPending = true
    this.clock.setTimeout(
      () => {
        this.#sweepPending = false
        const nowMs = this.clock.nowMs()
        this.#sweep(nowMs)
        let nextEndMs = Number.POSITIVE_INFINITY
        for (const window of this.#windows.values())
          if (window.suppressed > 0) nextEndMs = Math.min(nextEndMs, window.endMs)
        if (nextEndMs !== Number.POSITIVE_INFINITY) this.#scheduleSweep(nextEndMs - nowMs)
      },
      Math.max(0, delayMs),
    )
  }
}

/** For loggers built without a clock (tests that only collect lines). */
const wallClock: Pick<Clock, 'nowMs'> = { nowMs: () => Date.now() }

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack }
  if (typeof value === 'bigint') return value.toString()
  return value
}

/** A logger that drops everything; for tests. */
export const silentLogger: Logger = createLogger({ level: 'error', write: () => {}, repeatIntervalMs: 0 })
