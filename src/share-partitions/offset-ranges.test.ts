// OffsetRanges against a plain per-offset array on random operations (#8): same values everywhere,
// ranges always contiguous and merged.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SeededRandom } from '../testing/index.js'
import { OffsetRanges } from './index.js'

describe('OffsetRanges (#8)', () => {
  it('matches a per-offset model under random appends, updates and start moves', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const random = new SeededRandom(seed)
      const ranges = new OffsetRanges<number>(10, (a, b) => a === b)
      let start = 10
      let model: number[] = []
      for (let step = 0; step < 300; step++) {
        const roll = random.int(10)
        if (roll < 3) {
          const count = random.intBetween(1, 5)
          const value = random.int(3)
          ranges.append(count, value)
          for (let i = 0; i < count; i++) model.push(value)
        } else if (roll < 8 && model.length > 0) {
          const first = start + random.int(model.length)
          const last = Math.min(start + model.length - 1, first + random.int(6))
          const value = random.int(3)
          ranges.update(first, last, () => value)
          for (let offset = first; offset <= last; offset++) model[offset - start] = value
        } else if (roll === 8) {
          const to = start + random.int(model.length + 3)
          ranges.advanceStart(to)
          model = to - start >= model.length ? [] : model.slice(to - start)
          start = to
        } else if (model.length > 0) {
          const at = start + random.int(model.length + 1)
          ranges.truncateEnd(at)
          model.length = at - start
        }
        ranges.checkInvariants()
        assert.equal(ranges.startOffset, start, `seed ${seed} step ${step}`)
        assert.equal(ranges.endOffset, start + model.length, `seed ${seed} step ${step}`)
        for (const range of ranges.ranges())
          for (let offset = range.firstOffset; offset <= range.lastOffset; offset++)
            assert.equal(range.value, model[offset - start], `seed ${seed} step ${step} offset ${offset}`)
      }
    }
  })
})
