// Structured logs: one JSON object per line, with a level, so they can be read by people and by tools.
// The time of each line comes from the Clock, so a simulation's logs carry simulated time.
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

/** A logger writing lines at or above `level` to `write` (stderr by default). */
export function createLogger(options: {
  level?: LogLevel
  write?: (line: string) => void
  fields?: Record<string, unknown>
  /** Time of each line; main.ts passes the SystemClock, simulations their SimClock. */
  clock?: Pick<Clock, 'nowMs'>
}): Logger {
  const minimum = levelRank[options.level ?? 'info']
  const write = options.write ?? ((line: string) => process.stderr.write(line))
  const base = options.fields ?? {}
  const clock = options.clock ?? wallClock
  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (levelRank[level] < minimum) return
    const entry = { time: new Date(clock.nowMs()).toISOString(), level, msg: message, ...base, ...fields }
    write(`${JSON.stringify(entry, errorReplacer)}\n`)
  }
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
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
export const silentLogger: Logger = createLogger({ level: 'error', write: () => {} })
