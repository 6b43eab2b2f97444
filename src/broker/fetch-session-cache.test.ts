// The fetch session cache alone: slots, Kafka's eviction order (stale first, then a smaller session
// older than the eviction time, never an equal or larger one), epochs and partition counts.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SeededRandom } from '../testing/index.js'
import { type FetchSession, FetchSessionCache, type SessionPartition } from './fetch-session-cache.js'

const EVICTION_MS = 120_000

function cacheOf(slotsMax: number) {
  return new FetchSessionCache({ slotsMax, evictionMs: EVICTION_MS, random: new SeededRandom(7) })
}

function partition(topic: string, index: number): SessionPartition {
  return {
    topic,
    topicId: '00000000-0000-0000-0000-000000000000',
    partition: index,
    fetchOffset: 0,
    partitionMaxBytes: 1 << 20,
    currentLeaderEpoch: -1,
    sentHighWatermark: -1,
    sentLogStartOffset: -1,
  }
}

/** Creates a session of `size` partitions at `nowMs`, as the fetch handler does. */
function open(cache: FetchSessionCache, nowMs: number, size: number): FetchSession | undefined {
  const session = cache.create(nowMs, size, false)
  if (session === undefined) return undefined
  for (let i = 0; i < size; i++) session.partitions.set(`t:${i}`, partition('t', i))
  cache.added(session, size)
  return session
}

describe('fetch session cache (#9)', () => {
  it('hands out distinct positive ids, starts at epoch 1 and wraps the epoch to 1 after 2^31-1', () => {
    const cache = cacheOf(100)
    const ids = new Set<number>()
    for (let i = 0; i < 100; i++) {
      const session = open(cache, 0, 1)!
      assert.ok(session.id > 0 && session.id <= 0x7fffffff)
      assert.equal(session.epoch, 1)
      ids.add(session.id)
    }
    assert.equal(ids.size, 100)
    const session = cache.get([...ids][0])!
    session.advanceEpoch()
    assert.equal(session.epoch, 2)
    session.epoch = 0x7fffffff
    session.advanceEpoch()
    assert.equal(session.epoch, 1)
  })

  it('limit: a full cache of young sessions creates no new one (the client keeps full fetches)', () => {
    const cache = cacheOf(3)
    for (let i = 0; i < 3; i++) assert.ok(open(cache, 1000, 5))
    assert.equal(open(cache, 2000, 50), undefined, 'young sessions are protected, whatever their size')
    assert.equal(cache.size, 3)
    assert.equal(cache.partitionsCount, 15)
    assert.equal(cache.evictions, 0)
  })

  it('evicts the least recently used session once it is unused for longer than the eviction time', () => {
    const cache = cacheOf(2)
    const a = open(cache, 0, 10)!
    const b = open(cache, 0, 10)!
    cache.touch(a, 10_000, a.size) // b is now the least recently used
    const c = open(cache, EVICTION_MS + 1, 1)
    assert.ok(c, 'a stale session makes room even for a smaller one')
    assert.equal(cache.get(b.id), undefined)
    assert.equal(cache.get(a.id), a)
    assert.equal(cache.evictions, 1)
    assert.equal(cache.partitionsCount, 11)
  })

  it('otherwise evicts the smallest session older than the eviction time, only for a larger one', () => {
    const cache = cacheOf(3)
    const small = open(cache, 0, 2)!
    const medium = open(cache, 0, 5)!
    const big = open(cache, 0, 9)!
    // All used recently, each older than the eviction time at its last use: none stale, all evictable.
    const now = EVICTION_MS + 50_000
    for (const session of [small, medium, big]) cache.touch(session, now, session.size)
    assert.equal(open(cache, now + 1, 2), undefined, 'an equal size does not evict')
    assert.equal(open(cache, now + 1, 1), undefined, 'a smaller size does not evict')
    const newcomer = open(cache, now + 1, 3)
    assert.ok(newcomer)
    assert.equal(cache.get(small.id), undefined, 'the smallest went')
    assert.ok(cache.get(medium.id) && cache.get(big.id))
    assert.equal(cache.partitionsCount, 5 + 9 + 3)
  })

  it('a session last used while younger than the eviction time is not evictable by size', () => {
    const cache = cacheOf(1)
    const young = open(cache, 0, 1)!
    cache.touch(young, EVICTION_MS - 1, young.size)
    assert.equal(open(cache, EVICTION_MS + 10, 1000), undefined)
    assert.equal(cache.get(young.id), young)
  })

  it('counts partitions through touch and remove; zero slots turn sessions off', () => {
    const cache = cacheOf(10)
    const session = open(cache, 0, 4)!
    const before = session.size
    session.partitions.delete('t:0')
    session.partitions.set('u:0', partition('u', 0))
    session.partitions.set('u:1', partition('u', 1))
    cache.touch(session, 1, before)
    assert.equal(cache.partitionsCount, 5)
    assert.equal(cache.remove(session.id), session)
    assert.equal(cache.partitionsCount, 0)
    assert.equal(cache.size, 0)
    assert.equal(cacheOf(0).create(0, 1, false), undefined)
  })
})
