// The fuzzer's freeze judgement (#7): a bystander's long wait is a freeze only if the broker's main thread
// ran for most of the bound meanwhile; time it spent waiting for a CPU on a shared machine does not count.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FREEZE_RUN_FRACTION, judgeWait, mainThreadRunMs } from './freeze-judge.js'

describe('fuzzer freeze judge (#7)', () => {
  it('calls a wait over the bound a freeze only when the broker ran for most of the bound meanwhile', () => {
    assert.equal(judgeWait({ ageMs: 900, brokerRanMs: 900 }, 1000), 'ok')
    assert.equal(judgeWait({ ageMs: 1040, brokerRanMs: 1000 * FREEZE_RUN_FRACTION }, 1000), 'freeze')
    assert.equal(judgeWait({ ageMs: 4000, brokerRanMs: 950 }, 1000), 'freeze')
    // A broker starved of CPU on an overloaded machine (it ran 300 ms in 1.04 s) is slow, not frozen; the
    // earlier judgement counted its time waiting for a CPU as busy and failed the run.
    assert.equal(judgeWait({ ageMs: 1040, brokerRanMs: 300 }, 1000), 'slow')
    assert.equal(judgeWait({ ageMs: 5000, brokerRanMs: 0 }, 1000), 'slow')
    // Where run time cannot be read, the wait alone decides.
    assert.equal(judgeWait({ ageMs: 1040, brokerRanMs: undefined }, 1000), 'freeze')
  })

  it('reads the run time of a main thread: spinning counts, sleeping does not', {
    skip: process.platform !== 'linux',
  }, async () => {
    const before = mainThreadRunMs(process.pid)
    assert.ok(before !== undefined && before > 0)
    const cpuStart = process.cpuUsage()
    let spins = 0
    while (process.cpuUsage(cpuStart).user < 60_000) spins++
    const spun = mainThreadRunMs(process.pid)! - before
    assert.ok(spun >= 40, `spinning ~60 ms of CPU counted ${spun} ms (${spins} spins)`)
    const beforeSleep = mainThreadRunMs(process.pid)!
    await new Promise((resolve) => setTimeout(resolve, 300))
    const slept = mainThreadRunMs(process.pid)! - beforeSleep
    assert.ok(slept < 100, `sleeping 300 ms counted ${slept} ms`)
  })
})
