// Seeded crash simulation of what consumers SAW (#7): a producer appends to a PartitionLog on
// SimFileSystem while consumers read along; after each crash every batch a consumer read must still be
// in the log at the same offset with the same bytes, or a consumer that committed past it skips data.
// Two modes: a crash of the process (kill -9: what reached the OS survives) with default visibility, and
// a power loss with fetchFsyncedOnly. Rerun one seed with SEED=<n> node --test dist/tests/simulation/consumer-crash.test.js
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readInt64 } from '../../src/record-batch/index.js'
import { type LogConfig, PartitionLog } from '../../src/storage/index.js'
import { makeTestBatch, SeededRandom, SimClock, SimFileSystem } from '../../src/testing/index.js'

const dir = '/data/seen-0'
const seedCount = Number(process.env.SEEDS ?? 150)
const onlySeed = process.env.SEED === undefined ? undefined : Number(process.env.SEED)

type Mode = 'process-crash' | 'power-loss-fsynced-only'

interface Consumer {
  position: number
}

async function runSeed(seed: number, mode: Mode): Promise<void> {
  const random = new SeededRandom(seed)
  let fs = new SimFileSystem({ seed })
  const clock = new SimClock()
  const config: Partial<LogConfig> = {
    segmentBytes: random.pick([900, 5000, 1 << 20]),
    indexIntervalBytes: random.pick([0, 200, 4096]),
    maxTailBytes: random.pick([0, 3000, 1 << 20]),
    fetchFsyncedOnly: mode === 'power-loss-fsynced-only',
  }
  /** Bytes a consumer was given at each base offset, over every incarnation. */
  const seen = new Map<number, Buffer>()
  const crashes = random.intBetween(1, 4)
  for (let round = 0; round <= crashes; round++) {
    const label = `${mode} seed ${seed} round ${round}`
    const log = await PartitionLog.open(fs, clock, dir, config)
    for (const [base, bytes] of seen) {
      assert.ok(
        base < log.logEndOffset,
        `${label}: offset ${base} was read, but the log now ends at ${log.logEndOffset}`,
      )
      const back = await log.read(base, 1)
      assert.ok(
        back.batches.length > 0 && readInt64(back.batches[0], 0) === base,
        `${label}: batch at ${base} gone`,
      )
      assert.ok(
        back.batches[0].equals(bytes),
        `${label}: offset ${base} was read with other bytes before the crash`,
      )
    }
    if (round === crashes) {
      await log.close()
      return
    }
    const consumers: Consumer[] = Array.from({ length: random.intBetween(1, 3) }, () => ({
      position: log.logStartOffset,
    }))
    const steps = random.intBetween(5, 80)
    for (let step = 0; step < steps; step++) {
      const action = random.next()
      if (action < 0.45) {
        const recordsCount = random.intBetween(1, 4)
        const batch = makeTestBatch({
          recordsCount,
          payloadBytes: random.intBetween(0, 400),
          fill: random.int(256),
          maxTimestampMs: clock.nowMs(),
        })
        log.append({ batch, recordsCount, maxTimestamp: clock.nowMs() })
        if (random.chance(0.2)) log.flush().catch(() => {})
      } else if (action < 0.75) {
        const consumer = random.pick(consumers)
        const read = await log.read(consumer.position, random.intBetween(1, 3000))
        for (const b of read.batches) {
          const base = readInt64(b, 0)
          seen.set(base, Buffer.from(b))
          consumer.position = base + b.readInt32BE(23) + 1
        }
      } else if (action < 0.9) {
        const ticks = random.intBetween(1, 6)
        for (let t = 0; t < ticks; t++) await Promise.resolve()
      } else {
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    fs =
      mode === 'process-crash'
        ? fs.crash({ processOnly: true })
        : fs.crash({ keepRandomPrefix: random.chance(0.7), tearProbability: 0.5 })
  }
}

for (const mode of ['process-crash', 'power-loss-fsynced-only'] as const) {
  test(`#7: consumers never see records a crash takes back: ${mode} (${onlySeed === undefined ? seedCount : 1} seeds)`, async () => {
    const seeds = onlySeed === undefined ? Array.from({ length: seedCount }, (_, i) => i + 1) : [onlySeed]
    for (const seed of seeds) {
      try {
        await runSeed(seed, mode)
      } catch (error) {
        console.error(`consumer crash simulation (${mode}) failed with seed ${seed}`)
        throw error
      }
    }
  })
}
