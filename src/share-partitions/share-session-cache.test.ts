// Share sessions (#8): opening, epochs in sequence, partitions added and forgotten, closing, stale
// epochs, the session limit, and removal when the connection closes or the member leaves.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorCode } from '../protocol/index.js'
import { ShareSessionCache } from './index.js'

describe('share session cache (#8)', () => {
  it('opens with epoch 0, then takes 1, 2, ... and tracks added and forgotten partitions', () => {
    const cache = new ShareSessionCache()
    const opened = cache.fetch('g', 'a', 0, 7, ['t:0', 't:1'], [])
    assert.equal(opened.errorCode, ErrorCode.NONE)
    assert.equal(opened.session?.nextEpoch, 1)
    const next = cache.fetch('g', 'a', 1, 7, ['t:2'], ['t:0'])
    assert.equal(next.errorCode, ErrorCode.NONE)
    assert.deepEqual([...(next.session?.partitions ?? [])].sort(), ['t:1', 't:2'])
    assert.equal(cache.acknowledge('g', 'a', 2).errorCode, ErrorCode.NONE)
    assert.equal(cache.get('g', 'a')?.nextEpoch, 3)
  })

  it('a wrong epoch is INVALID_SHARE_SESSION_EPOCH; no session is SHARE_SESSION_NOT_FOUND', () => {
    const cache = new ShareSessionCache()
    assert.equal(cache.fetch('g', 'a', 1, 7, [], []).errorCode, ErrorCode.SHARE_SESSION_NOT_FOUND)
    assert.equal(cache.acknowledge('g', 'a', 1).errorCode, ErrorCode.SHARE_SESSION_NOT_FOUND)
    cache.fetch('g', 'a', 0, 7, ['t:0'], [])
    assert.equal(cache.fetch('g', 'a', 2, 7, [], []).errorCode, ErrorCode.INVALID_SHARE_SESSION_EPOCH)
    assert.equal(cache.fetch('g', 'a', -5, 7, [], []).errorCode, ErrorCode.INVALID_SHARE_SESSION_EPOCH)
    assert.equal(cache.acknowledge('g', 'a', 0).errorCode, ErrorCode.INVALID_SHARE_SESSION_EPOCH)
    assert.equal(cache.get('g', 'a')?.nextEpoch, 1, 'a refused request does not move the epoch')
  })

  it('epoch 0 again replaces the old session and hands it back for releasing', () => {
    const cache = new ShareSessionCache()
    cache.fetch('g', 'a', 0, 7, ['t:0'], [])
    cache.fetch('g', 'a', 1, 7, [], [])
    const again = cache.fetch('g', 'a', 0, 8, ['t:1'], [])
    assert.deepEqual([...(again.replaced?.partitions ?? [])], ['t:0'])
    assert.equal(again.session?.nextEpoch, 1)
    assert.equal(cache.size, 1)
  })

  it('epoch -1 closes the session', () => {
    const cache = new ShareSessionCache()
    cache.fetch('g', 'a', 0, 7, ['t:0'], [])
    const closed = cache.acknowledge('g', 'a', -1)
    assert.equal(closed.errorCode, ErrorCode.NONE)
    assert.deepEqual([...(closed.session?.partitions ?? [])], ['t:0'])
    assert.equal(cache.size, 0)
    cache.fetch('g', 'b', 0, 7, [], [])
    assert.equal(cache.fetch('g', 'b', -1, 7, [], []).errorCode, ErrorCode.NONE)
    assert.equal(cache.size, 0)
  })

  it('group.share.max.share.sessions: one more session is SHARE_SESSION_LIMIT_REACHED', () => {
    const cache = new ShareSessionCache(2)
    cache.fetch('g', 'a', 0, 1, [], [])
    cache.fetch('g', 'b', 0, 1, [], [])
    assert.equal(cache.fetch('g', 'c', 0, 1, [], []).errorCode, ErrorCode.SHARE_SESSION_LIMIT_REACHED)
    assert.equal(cache.fetch('g', 'a', 0, 1, [], []).errorCode, ErrorCode.NONE, 'reopening is no new session')
  })

  it('a closed connection or a member leaving removes its sessions', () => {
    const cache = new ShareSessionCache()
    cache.fetch('g', 'a', 0, 1, ['t:0'], [])
    cache.fetch('g', 'b', 0, 1, ['t:0'], [])
    cache.fetch('g', 'c', 0, 2, ['t:0'], [])
    assert.deepEqual(
      cache.removeConnection(1).map((s) => s.memberId),
      ['a', 'b'],
    )
    assert.equal(cache.removeMember('g', 'c')?.memberId, 'c')
    assert.equal(cache.size, 0)
  })
})
