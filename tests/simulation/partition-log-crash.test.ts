// Seeded crash simulation of PartitionLog on SimFileSystem: random appends, some awaited for durability,
// power cuts at random points (with torn writes), and checks after every reopen. A failure names its seed:
// rerun one with SEED=<n> node --test dist/tests/simulation/partition-log-crash.test.js
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readInt64 } from '../../src/record-batch/index.js'
import { type LogConfig, PartitionLog } from '../../src/storage/index.js'
import { makeTestBatch, SeededRandom, SimClock, SimFileSystem } from '../../src/testing/index.js'

const dir = '/data/sim-0'
const seedCount = Number(process.env.SEEDS ?? 200)
const onlySeed = process.env.SEED === undefined ? undefined : Number(process.env.SEED)

interface Model {
  /** Bytes appended at each baseOffset by the latest incarnation that assigned it. */
  appended: Map<number, Buffer>
  /** Base offsets whose waitDurable resolved: these must survive every crash. */
  acked: Set<number>
}

async function verify(log: PartitionLog, model: Model, label: string): Promise<void> {
  let maxAckedEnd = 0
  for (const base of model.acked)
    maxAckedEnd = Math.max(maxAckedEnd, readInt64(model.appended.get(base)!, 0) + 1)
  assert.ok(
    log.logEndOffset >= maxAckedEnd,
    `${label}: logEndOffset ${log.logEndOffset} < acked end ${maxAckedEnd}`,
  )
  let offset = log.logStartOffset
  const seen = new Set<number>()
  while (offset < log.logEndOffset) {
    const result = await log.read(offset, 1 + (offset % 3000))
    assert.ok(result.batches.length > 0, `${label}: empty read at ${offset}`)
    for (const b of result.batches) {
      const base = readInt64(b, 0)
      assert.equal(base, offset, `${label}: gap or overlap at ${offset}`)
      const expected = model.appended.get(base)
      assert.ok(expected !== undefined, `${label}: unknown batch at ${base}`)
      assert.ok(b.equals(expected), `${label}: batch at ${base} differs from what was appended`)
      seen.add(base)
      offset = base + b.readInt32BE(23) + 1
    }
  }
  for (const base of model.acked) assert.ok(seen.has(base), `${label}: acknowledged batch ${base} lost`)
  // Offsets at or past the recovered end will be reassigned: forget what was appended there.
  for (const base of [...model.appended.keys()]) if (base >= log.logEndOffset) model.appended.delete(base)
}

async function runSeed(seed: number): Promise<void> {
  const random = new SeededRandom(seed)
  let fs = new SimFileSystem({ seed })
  const clock = new SimClock()
  const config: Partial<LogConfig> = {
    segmentBytes: random.pick([800, 3000, 20_000, 1 << 20]),
    indexIntervalBytes: random.pick([0, 100, 1000, 4096]),
    maxTailBytes: random.pick([0, 2000, 1 << 20]),
  }
  const model: Model = { appended: new Map(), acked: new Set() }
  const crashes = random.intBetween(1, 4)
  for (let round = 0; round <= crashes; round++) {
    const label = `seed ${seed} round ${round}`
    const log = await PartitionLog.open(fs, clock, dir, config)
    await verify(log, model, label)
    if (round === crashes) {
      await log.close()
      await verify(await PartitionLog.open(fs, clock, dir, config), model, `${label} after clean close`)
      return
    }
    const steps = random.intBetween(1, 60)
    for (let step = 0; step < steps; step++) {
      const action = random.next()
      if (action < 0.6) {
        const count = random.intBetween(1, 3)
        const items = Array.from({ length: count }, () => {
          const recordsCount = random.intBetween(1, 5)
          const batch = makeTestBatch({
            recordsCount,
            payloadBytes: random.intBetween(0, 600),
            fill: random.int(256),
            maxTimestampMs: clock.nowMs() + step,
          })
          return { batch, recordsCount, maxTimestamp: clock.nowMs() + step }
        })
        log.append(items)
        const bases = items.map((i) => readInt64(i.batch, 0))
        for (const i of items) model.appended.set(readInt64(i.batch, 0), Buffer.from(i.batch))
        if (random.chance(0.4)) {
          const view = fs
          log
            .waitDurable(log.logEndOffset)
            .then(() => {
              if (view.alive) for (const b of bases) model.acked.add(b)
            })
            .catch(() => {})
        }
      } else if (action < 0.85) {
        const ticks = random.intBetween(1, 8)
        for (let t = 0; t < ticks; t++) await Promise.resolve()
      } else if (action < 0.95) {
        await new Promise((resolve) => setImmediate(resolve))
      } else {
        await log.flush().catch(() => {})
      }
    }
    fs = fs.crash({ keepRandomPrefix: random.chance(0.7), tearProbability: 0.5 })
  }
}

test(`PartitionLog survives random crashes (${onlySeed === undefined ? seedCount : 1} seeds)`, async () => {
  const seeds = onlySeed === undefined ? Array.from({ length: seedCount }, (_, i) => i + 1) : [onlySeed]
  for (const seed of seeds) {
    try {
      await runSeed(seed)
    } catch (error) {
      console.error(`partition-log crash simulation failed with seed ${seed}`)
      throw error
    }
  }
})
