// Seeded crash simulation of StateLog on SimFileSystem: random keyed appends (some awaited), snapshots
// started by size and by hand, power cuts at random points with torn writes. After each restart the state
// must be exactly the state after some prefix of what was appended that holds every acknowledged record.
// Rerun one seed with SEED=<n> node --test dist/tests/simulation/state-log-crash.test.js
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { silentLogger } from '../../src/core/index.js'
import { StateLog, type StateRecord } from '../../src/storage/index.js'
import { SeededRandom, SimFileSystem } from '../../src/testing/index.js'

const dir = '/data/state'
const seedCount = Number(process.env.SEEDS ?? 200)
const onlySeed = process.env.SEED === undefined ? undefined : Number(process.env.SEED)

type State = Map<string, unknown>

function apply(state: State, record: StateRecord): void {
  const id = `${record.type}/${record.key}`
  if (record.value === null) state.delete(id)
  else state.set(id, record.value)
}

function* recordsOf(state: State): Iterable<StateRecord> {
  for (const [id, value] of state) {
    const [type, key] = id.split('/')
    yield { type, key, value }
  }
}

function describe(state: State): string {
  return JSON.stringify([...state].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

async function runSeed(seed: number): Promise<void> {
  const random = new SeededRandom(seed)
  let fs = new SimFileSystem({ seed })
  // Owners either apply a record when they append it (groups) or when it is acknowledged (metadata).
  const applyOnAck = random.chance(0.5)
  const snapshotAfterBytes = random.pick([150, 600, 3000, 1 << 20])
  let baseline: State = new Map()
  let baselineSeq = 0
  const crashes = random.intBetween(1, 5)
  for (let round = 0; round <= crashes; round++) {
    const label = `seed ${seed} round ${round}`
    const state: State = new Map()
    const { log, recovery } = await StateLog.open({
      fs,
      dir,
      logger: silentLogger,
      replay: (record) => apply(state, record),
      snapshot: () => recordsOf(state),
      snapshotAfterBytes,
    })
    assert.equal(describe(state), describe(baseline), `${label}: recovered state differs`)
    assert.equal(recovery.lastSeq, baselineSeq, `${label}: recovered sequence differs`)
    if (round === crashes) {
      await log.close()
      return
    }
    // Prefix states of this incarnation: prefixes[m] is the state after its first m records.
    const prefixes: string[] = [describe(state)]
    const running: State = new Map(state)
    let ackedCount = 0
    let appendedCount = 0
    const view = fs
    const steps = random.intBetween(1, 80)
    for (let step = 0; step < steps; step++) {
      const action = random.next()
      if (action < 0.55) {
        const records: StateRecord[] = Array.from({ length: random.intBetween(1, 3) }, () => ({
          type: random.pick(['offset', 'topic']),
          key: `k${random.int(12)}`,
          value: random.chance(0.2) ? null : { n: random.int(1000), pad: 'p'.repeat(random.int(80)) },
        }))
        for (const r of records) {
          apply(running, r)
          prefixes.push(describe(running))
        }
        if (!applyOnAck) for (const r of records) apply(state, r)
        appendedCount += records.length
        const end = appendedCount
        log.append(records).then(
          () => {
            if (applyOnAck) for (const r of records) apply(state, r)
            if (view.alive) ackedCount = Math.max(ackedCount, end)
          },
          () => {},
        )
      } else if (action < 0.8) {
        const ticks = random.intBetween(1, 10)
        for (let t = 0; t < ticks; t++) await Promise.resolve()
      } else if (action < 0.93) {
        await new Promise((resolve) => setImmediate(resolve))
      } else {
        log.snapshotNow().catch(() => {})
      }
    }
    fs = fs.crash({ keepRandomPrefix: random.chance(0.7), tearProbability: 0.5 })
    // What the restart must find: some prefix holding every acknowledged record.
    const probe: State = new Map()
    const { log: reopened, recovery: found } = await StateLog.open({
      fs,
      dir,
      logger: silentLogger,
      replay: (record) => apply(probe, record),
      snapshot: () => recordsOf(probe),
    })
    await reopened.close()
    const m = found.lastSeq - baselineSeq
    assert.ok(m >= ackedCount, `${label}: ${ackedCount} records acknowledged, only ${m} recovered`)
    assert.ok(m <= appendedCount, `${label}: ${m} records recovered of ${appendedCount} appended`)
    assert.equal(describe(probe), prefixes[m], `${label}: recovered state is not the state after record ${m}`)
    baseline = probe
    baselineSeq = found.lastSeq
  }
}

test(`StateLog survives random crashes (${onlySeed === undefined ? seedCount : 1} seeds)`, async () => {
  const seeds = onlySeed === undefined ? Array.from({ length: seedCount }, (_, i) => i + 1) : [onlySeed]
  for (const seed of seeds) {
    try {
      await runSeed(seed)
    } catch (error) {
      console.error(`state-log crash simulation failed with seed ${seed}`)
      throw error
    }
  }
})
