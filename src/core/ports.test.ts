// The small ports in core: uuid text from any Random, and log lines stamped by the Clock they are given.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SeededRandom, SimClock } from '../testing/index.js'
import { createLogger } from './logger.js'
import { randomUuidText } from './random.js'

test('randomUuidText is a version-4 UUID and replays from the seed', () => {
  const a = randomUuidText(new SeededRandom(42))
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  assert.equal(randomUuidText(new SeededRandom(42)), a)
  assert.notEqual(randomUuidText(new SeededRandom(43)), a)
})

test('log lines carry the time of the clock the logger was given', () => {
  const clock = new SimClock(Date.UTC(2020, 0, 2, 3, 4, 5))
  const lines: string[] = []
  const logger = createLogger({ write: (line) => lines.push(line), clock })
  logger.info('first')
  clock.advance(1500)
  logger.child({ part: 'x' }).info('second')
  assert.deepEqual(
    lines.map((line) => JSON.parse(line).time),
    ['2020-01-02T03:04:05.000Z', '2020-01-02T03:04:06.500Z'],
  )
})
