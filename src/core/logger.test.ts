// The logger's repeat limit (#9): a client reconnecting in a loop wrote 24,095 identical warnings in 12.8 s.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SimClock } from '../testing/index.js'
import { createLogger, LOG_REPEAT_INTERVAL_MS, LOG_SAME_MESSAGE_LINES_MAX } from './logger.js'

function collect(clock: SimClock) {
  const lines: Record<string, unknown>[] = []
  const logger = createLogger({ write: (line) => lines.push(JSON.parse(line)), clock })
  return { lines, logger }
}

test('#9 a line repeated 24,095 times is written once, then one count when its window ends', () => {
  const clock = new SimClock(Date.UTC(2026, 10, 30))
  const { lines, logger } = collect(clock)
  for (let i = 0; i < 24_095; i++)
    logger.warn('closing connection: unsupported version', { apiKey: 1, apiVersion: 18 })
  assert.equal(lines.length, 1)
  clock.advance(LOG_REPEAT_INTERVAL_MS)
  assert.equal(lines.length, 2)
  assert.deepEqual(
    {
      msg: lines[1]?.msg,
      level: lines[1]?.level,
      suppressed: lines[1]?.suppressed,
      intervalMs: lines[1]?.intervalMs,
    },
    { msg: 'closing connection: unsupported version', level: 'warn', suppressed: 24_094, intervalMs: 10_000 },
  )
  // A new window starts clean: the same line is written again, once.
  logger.warn('closing connection: unsupported version', { apiKey: 1, apiVersion: 18 })
  assert.equal(lines.length, 3)
  assert.equal(lines[2]?.suppressed, undefined)
})

test('#9 the same message with changing fields (a new connection id each time) is capped per window', () => {
  const clock = new SimClock(0)
  const { lines, logger } = collect(clock)
  for (let id = 0; id < 1000; id++) logger.child({ connectionId: id }).warn('closing connection: bad frame')
  assert.equal(lines.length, LOG_SAME_MESSAGE_LINES_MAX)
  assert.deepEqual(
    lines.map((line) => line.connectionId),
    Array.from({ length: LOG_SAME_MESSAGE_LINES_MAX }, (_, i) => i),
  )
  clock.advance(LOG_REPEAT_INTERVAL_MS)
  assert.equal(lines.at(-1)?.suppressed, 1000 - LOG_SAME_MESSAGE_LINES_MAX)
})

test('#9 different messages and levels do not limit each other; distinct lines pass', () => {
  const clock = new SimClock(0)
  const { lines, logger } = collect(clock)
  logger.info('topic created', { topic: 'a' })
  logger.info('topic created', { topic: 'b' })
  logger.warn('topic created', { topic: 'a' })
  logger.info('topic created', { topic: 'a' })
  logger.info('group rebalanced')
  assert.deepEqual(
    lines.map((line) => `${line.level} ${line.msg} ${line.topic ?? ''}`),
    ['info topic created a', 'info topic created b', 'warn topic created a', 'info group rebalanced '],
  )
  clock.advance(LOG_REPEAT_INTERVAL_MS)
  assert.equal(lines.at(-1)?.suppressed, 1)
})

test('#9 without timers the count is written before the next line after the window', () => {
  let nowMs = 0
  const lines: Record<string, unknown>[] = []
  const logger = createLogger({
    write: (line) => lines.push(JSON.parse(line)),
    clock: { nowMs: () => nowMs },
  })
  logger.error('disk full')
  logger.error('disk full')
  nowMs += LOG_REPEAT_INTERVAL_MS
  logger.info('something else')
  assert.deepEqual(
    lines.map((line) => [line.msg, line.suppressed]),
    [
      ['disk full', undefined],
      ['disk full', 1],
      ['something else', undefined],
    ],
  )
})

test('repeatIntervalMs 0 writes every line', () => {
  const lines: string[] = []
  const logger = createLogger({ write: (line) => lines.push(line), repeatIntervalMs: 0 })
  for (let i = 0; i < 50; i++) logger.info('same')
  assert.equal(lines.length, 50)
})
