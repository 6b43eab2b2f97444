// The transaction coordinator on the simulated file system and clock: the state machine, fencing,
// KIP-360, transaction version 2, timeouts, expiry, limits, restart recovery (#12).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { silentLogger } from '../core/index.js'
import { ErrorCode } from '../protocol/index.js'
import { SimClock, SimFileSystem } from '../testing/index.js'
import {
  EPOCH_EXHAUSTED,
  TransactionCoordinator,
  type TransactionCoordinatorOptions,
  type TxnMarker,
} from './index.js'

interface Harness {
  coordinator: TransactionCoordinator
  clock: SimClock
  fs: SimFileSystem
  markers: { topic: string; partition: number; marker: TxnMarker }[]
  groupCompletions: { groupId: string; producerId: number; producerEpoch: number; commit: boolean }[]
  /** Error code the marker port answers next (NONE by default). */
  markerCode: { value: number }
  reopen(fs?: SimFileSystem): Promise<TransactionCoordinator>
}

async function harness(options: Partial<TransactionCoordinatorOptions> = {}): Promise<Harness> {
  const clock = new SimClock()
  let nextProducerId = 1000
  const h: Partial<Harness> = { clock, markers: [], groupCompletions: [], markerCode: { value: 0 } }
  const open = (fs: SimFileSystem) =>
    TransactionCoordinator.open({
      fs,
      dir: '/data/transactions',
      clock,
      logger: silentLogger,
      allocateProducerId: async () => nextProducerId++,
      writeMarker: async (topic, partition, marker) => {
        if (h.markerCode!.value === ErrorCode.NONE) h.markers!.push({ topic, partition, marker })
        return h.markerCode!.value
      },
      completeGroupTransaction: async (groupId, producerId, producerEpoch, commit) => {
        h.groupCompletions!.push({ groupId, producerId, producerEpoch, commit })
      },
      markerRetryBackoffMs: 100,
      ...options,
    })
  h.fs = new SimFileSystem()
  h.coordinator = await open(h.fs)
  h.reopen = async (fs) => {
    if (fs === undefined) await h.coordinator!.close()
    h.fs = fs ?? h.fs!
    h.coordinator = await open(h.fs)
    return h.coordinator
  }
  return h as Harness
}

const TIMEOUT_MS = 60_000

async function init(c: TransactionCoordinator, transactionalId = 'tx', producerId = -1, producerEpoch = -1) {
  return c.initProducerId({ transactionalId, transactionTimeoutMs: TIMEOUT_MS, producerId, producerEpoch })
}

const part = (topic: string, partition: number) => ({ topic, partition })

describe('TransactionCoordinator (#12)', () => {
  it('a classic transaction: InitProducerId, AddPartitions, AddOffsets, EndTxn commit writes markers and completes groups', async () => {
    const h = await harness()
    const c = h.coordinator
    const id = await init(c)
    assert.deepEqual(id, { errorCode: 0, producerId: 1000, producerEpoch: 0 })
    const added = await c.addPartitions({
      transactionalId: 'tx',
      producerId: 1000,
      producerEpoch: 0,
      partitions: [part('a', 0), part('a', 1), part('b', 0)],
    })
    assert.equal(added, ErrorCode.NONE)
    assert.equal(
      await c.addOffsets({ transactionalId: 'tx', producerId: 1000, producerEpoch: 0, groupId: 'g' }),
      0,
    )
    assert.equal(c.entry('tx')?.state, 'Ongoing')
    assert.equal(
      await c.checkProduce({
        producerId: 1000,
        producerEpoch: 0,
        topic: 'a',
        partition: 1,
        implicitAdd: false,
      }),
      ErrorCode.NONE,
    )
    assert.equal(
      await c.checkProduce({
        producerId: 1000,
        producerEpoch: 0,
        topic: 'c',
        partition: 0,
        implicitAdd: false,
      }),
      ErrorCode.INVALID_TXN_STATE,
    )
    const end = await c.endTxn({
      transactionalId: 'tx',
      producerId: 1000,
      producerEpoch: 0,
      commit: true,
      transactionVersion2: false,
    })
    assert.equal(end.errorCode, ErrorCode.NONE)
    assert.deepEqual(
      h.markers.map((m) => [
        m.topic,
        m.partition,
        m.marker.commit,
        m.marker.producerId,
        m.marker.producerEpoch,
      ]),
      [
        ['a', 0, true, 1000, 0],
        ['a', 1, true, 1000, 0],
        ['b', 0, true, 1000, 0],
      ],
    )
    assert.deepEqual(h.groupCompletions, [{ groupId: 'g', producerId: 1000, producerEpoch: 0, commit: true }])
    assert.equal(c.entry('tx')?.state, 'CompleteCommit')
    // A retry of the same EndTxn is answered NONE; the opposite outcome is INVALID_TXN_STATE.
    const retry = await c.endTxn({
      transactionalId: 'tx',
      producerId: 1000,
      producerEpoch: 0,
      commit: true,
      transactionVersion2: false,
    })
    assert.equal(retry.errorCode, ErrorCode.NONE)
    const opposite = await c.endTxn({
      transactionalId: 'tx',
      producerId: 1000,
      producerEpoch: 0,
      commit: false,
      transactionVersion2: false,
    })
    assert.equal(opposite.errorCode, ErrorCode.INVALID_TXN_STATE)
    await c.close()
  })

  it('bad input: EndTxn without a transaction, unknown ids, fenced epochs, bad timeouts, empty ids', async () => {
    const h = await harness()
    const c = h.coordinator
    assert.equal((await init(c, '')).errorCode, ErrorCode.INVALID_REQUEST)
    assert.equal(
      (
        await c.initProducerId({
          transactionalId: 'tx',
          transactionTimeoutMs: 900_001,
          producerId: -1,
          producerEpoch: -1,
        })
      ).errorCode,
      ErrorCode.INVALID_TRANSACTION_TIMEOUT,
    )
    assert.equal(
      (
        await c.initProducerId({
          transactionalId: 'tx',
          transactionTimeoutMs: 0,
          producerId: -1,
          producerEpoch: -1,
        })
      ).errorCode,
      ErrorCode.INVALID_TRANSACTION_TIMEOUT,
    )
    assert.equal(c.size, 0, 'nothing written for refused requests')
    const end = {
      transactionalId: 'tx',
      producerId: 1000,
      producerEpoch: 0,
      commit: true,
      transactionVersion2: false,
    }
    assert.equal((await c.endTxn(end)).errorCode, ErrorCode.INVALID_PRODUCER_ID_MAPPING)
    await init(c)
    assert.equal((await c.endTxn(end)).errorCode, ErrorCode.INVALID_TXN_STATE, 'EndTxn without a transaction')
    assert.equal((await c.endTxn({ ...end, producerId: 5 })).errorCode, ErrorCode.INVALID_PRODUCER_ID_MAPPING)
    assert.equal((await c.endTxn({ ...end, producerEpoch: 3 })).errorCode, ErrorCode.PRODUCER_FENCED)
    assert.equal(
      await c.addPartitions({
        transactionalId: 'nope',
        producerId: 1000,
        producerEpoch: 0,
        partitions: [part('a', 0)],
      }),
      ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    )
    assert.equal(c.entry('tx')?.state, 'Empty', 'nothing half-written')
    assert.equal(h.markers.length, 0)
    assert.equal(
      await c.checkProduce({
        producerId: 77,
        producerEpoch: 0,
        topic: 'a',
        partition: 0,
        implicitAdd: false,
      }),
      ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    )
    await c.close()
  })

  it('a second InitProducerId fences the first producer and aborts its ongoing transaction', async () => {
    const h = await harness()
    const c = h.coordinator
    await init(c)
    await c.addPartitions({
      transactionalId: 'tx',
      producerId: 1000,
      producerEpoch: 0,
      partitions: [part('a', 0)],
    })
    const second = await init(c)
    assert.equal(
      second.errorCode,
      ErrorCode.CONCURRENT_TRANSACTIONS,
      'the producer retries while the abort runs',
    )
    await c.settled()
    assert.deepEqual(
      h.markers.map((m) => [m.marker.commit, m.marker.producerEpoch]),
      [[false, 1]],
      'abort marker with the bumped epoch',
    )
    const retried = await init(c)
    assert.deepEqual(retried, { errorCode: 0, producerId: 1000, producerEpoch: 2 })
    // The zombie (epoch 0) is fenced everywhere.
    assert.equal(
      await c.addPartitions({
        transactionalId: 'tx',
        producerId: 1000,
        producerEpoch: 0,
        partitions: [part('a', 0)],
      }),
      ErrorCode.PRODUCER_FENCED,
    )
    assert.equal(
      await c.checkProduce({
        producerId: 1000,
        producerEpoch: 0,
        topic: 'a',
        partition: 0,
        implicitAdd: false,
      }),
      ErrorCode.INVALID_PRODUCER_EPOCH,
    )
    const end = await c.endTxn({
      transactionalId: 'tx',
      producerId: 1000,
      producerEpoch: 0,
      commit: true,
      transactionVersion2: false,
    })
    assert.equal(end.errorCode, ErrorCode.PRODUCER_FENCED)
    await c.close()
  })

  it('KIP-360: a producer may bump only its own epoch; a retry of the bump is answered again', async () => {
    const h = await harness()
    const c = h.coordinator
    await init(c)
    assert.deepEqual(await init(c, 'tx', 1000, 0), { errorCode: 0, producerId: 1000, producerEpoch: 1 })
    assert.deepEqual(
      await init(c, 'tx', 1000, 0),
      { errorCode: 0, producerId: 1000, producerEpoch: 1 },
      'retry',
    )
    assert.equal((await init(c, 'tx', 1000, 5)).errorCode, ErrorCode.PRODUCER_FENCED)
    // With a transaction open, the bump fences it first; the producer's retry then gets its epoch.
    await c.addPartitions({
      transactionalId: 'tx',
      producerId: 1000,
      producerEpoch: 1,
      partitions: [part('a', 0)],
    })
    assert.equal((await init(c, 'tx', 1000, 1)).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS)
    await c.settled()
    assert.deepEqual(await init(c, 'tx', 1000, 1), { errorCode: 0, producerId: 1000, producerEpoch: 3 })
    assert.equal(
      (await init(c, 'tx', 1000, 0)).errorCode,
      ErrorCode.PRODUCER_FENCED,
      'older epochs stay fenced',
    )
    assert.equal((await init(c, 'tx', 999, 0)).errorCode, ErrorCode.PRODUCER_FENCED)
    await c.close()
  })

  it('an exhausted epoch gets a new producer id (InitProducerId and transaction version 2 EndTxn)', async () => {
    const h = await harness()
    const c = h.coordinator
    await init(c)
    // Walk the epoch up to the edge through KIP-360 bumps.
    let epoch = 0
    while (epoch < EPOCH_EXHAUSTED) epoch = (await init(c, 'tx', 1000, epoch)).producerEpoch
    const rotated = await init(c, 'tx', 1000, epoch)
    assert.deepEqual(rotated, { errorCode: 0, producerId: 1001, producerEpoch: 0 })
    // TV2: every EndTxn bumps; at the edge the answer carries a new producer id.
    for (epoch = 0; epoch < EPOCH_EXHAUSTED; ) epoch = (await init(c, 'tx', 1001, epoch)).producerEpoch
    assert.equal(
      await c.checkProduce({
        producerId: 1001,
        producerEpoch: epoch,
        topic: 'a',
        partition: 0,
        implicitAdd: true,
      }),
      ErrorCode.NONE,
    )
    const end = await c.endTxn({
      transactionalId: 'tx',
      producerId: 1001,
      producerEpoch: epoch,
      commit: true,
      transactionVersion2: true,
    })
    assert.deepEqual(end, { errorCode: 0, producerId: 1002, producerEpoch: 0 })
    assert.deepEqual(h.markers.at(-1)?.marker, {
      producerId: 1001,
      producerEpoch: EPOCH_EXHAUSTED + 1,
      commit: true,
      coordinatorEpoch: 0,
    })
    await c.close()
  })

  it('transaction version 2: Produce adds partitions implicitly, every EndTxn bumps the epoch, retries are recognised', async () => {
    const h = await harness()
    const c = h.coordinator
    await init(c)
    const produce = (epoch: number, partition: number) =>
      c.checkProduce({ producerId: 1000, producerEpoch: epoch, topic: 'a', partition, implicitAdd: true })
    assert.equal(await produce(0, 0), ErrorCode.NONE)
    assert.equal(await produce(0, 1), ErrorCode.NONE)
    assert.equal(
      await c.checkOffsetCommit({
        transactionalId: 'tx',
        producerId: 1000,
        producerEpoch: 0,
        groupId: 'g',
        implicitAdd: true,
      }),
      ErrorCode.NONE,
    )
    assert.equal(c.entry('tx')?.transactionVersion, 2)
    const input = {
      transactionalId: 'tx',
      producerId: 1000,
      producerEpoch: 0,
      commit: true,
      transactionVersion2: true,
    }
    assert.deepEqual(await c.endTxn(input), { errorCode: 0, producerId: 1000, producerEpoch: 1 })
    assert.deepEqual(
      h.markers.map((m) => m.marker.producerEpoch),
      [1, 1],
      'markers carry the bumped epoch',
    )
    assert.deepEqual(await c.endTxn(input), { errorCode: 0, producerId: 1000, producerEpoch: 1 }, 'a retry')
    assert.equal((await c.endTxn({ ...input, commit: false })).errorCode, ErrorCode.PRODUCER_FENCED)
    assert.equal(await produce(0, 0), ErrorCode.INVALID_PRODUCER_EPOCH, 'the old epoch is fenced')
    // An abort of a transaction that added nothing still bumps.
    assert.deepEqual(await c.endTxn({ ...input, producerEpoch: 1, commit: false }), {
      errorCode: 0,
      producerId: 1000,
      producerEpoch: 2,
    })
    await c.close()
  })

  it('a transaction past its timeout is aborted with a bumped epoch, fencing the producer', async () => {
    const h = await harness({ abortTimedOutIntervalMs: 1000 })
    const c = h.coordinator
    await init(c)
    await c.addPartitions({
      transactionalId: 'tx',
      producerId: 1000,
      producerEpoch: 0,
      partitions: [part('a', 0)],
    })
    await h.clock.advanceAsync(TIMEOUT_MS - 1000)
    assert.equal(c.entry('tx')?.state, 'Ongoing')
    await h.clock.advanceAsync(2000)
    await c.settled()
    assert.equal(c.entry('tx')?.state, 'CompleteAbort')
    assert.equal(c.stats.timedOut, 1)
    assert.deepEqual(
      h.markers.map((m) => [m.marker.commit, m.marker.producerEpoch]),
      [[false, 1]],
    )
    const late = await c.endTxn({
      transactionalId: 'tx',
      producerId: 1000,
      producerEpoch: 0,
      commit: true,
      transactionVersion2: false,
    })
    assert.equal(late.errorCode, ErrorCode.PRODUCER_FENCED, 'nothing of the timed-out transaction commits')
    await c.close()
  })

  it('transactional.id.expiration.ms forgets idle ids, never one with an open transaction', async () => {
    const h = await harness({
      transactionalIdExpirationMs: 10_000,
      removeExpiredIntervalMs: 1000,
      transactionMaxTimeoutMs: 900_000,
    })
    const c = h.coordinator
    await init(c, 'idle')
    await c.initProducerId({
      transactionalId: 'busy',
      transactionTimeoutMs: 900_000,
      producerId: -1,
      producerEpoch: -1,
    })
    await c.addPartitions({
      transactionalId: 'busy',
      producerId: 1001,
      producerEpoch: 0,
      partitions: [part('a', 0)],
    })
    await h.clock.advanceAsync(12_000)
    assert.equal(c.entry('idle'), undefined)
    assert.equal(c.entry('busy')?.state, 'Ongoing')
    await h.reopen()
    assert.equal(h.coordinator.entry('idle'), undefined, 'the expiry is durable')
    await h.coordinator.close()
  })

  it('limit: transactional ids per broker (POLICY_VIOLATION) and partitions per transaction (TRANSACTION_ABORTABLE)', async () => {
    const h = await harness({ transactionalIdsMax: 2, partitionsPerTransactionMax: 3 })
    const c = h.coordinator
    assert.equal((await init(c, 'a')).errorCode, 0)
    assert.equal((await init(c, 'b')).errorCode, 0)
    assert.equal((await init(c, 'c')).errorCode, ErrorCode.POLICY_VIOLATION)
    assert.equal((await init(c, 'a')).errorCode, 0, 'a known id still bumps')
    const add = (partitions: { topic: string; partition: number }[]) =>
      c.addPartitions({ transactionalId: 'b', producerId: 1001, producerEpoch: 0, partitions })
    assert.equal(await add([part('t', 0), part('t', 1)]), ErrorCode.NONE)
    assert.equal(
      await c.addOffsets({ transactionalId: 'b', producerId: 1001, producerEpoch: 0, groupId: 'g' }),
      0,
    )
    assert.equal(await add([part('t', 2)]), ErrorCode.TRANSACTION_ABORTABLE)
    assert.deepEqual(c.describe(['b'])[0].topics, [{ topic: 't', partitions: [0, 1] }], 'nothing of it added')
    // The producer aborts and goes on.
    const end = await c.endTxn({
      transactionalId: 'b',
      producerId: 1001,
      producerEpoch: 0,
      commit: false,
      transactionVersion2: false,
    })
    assert.equal(end.errorCode, 0)
    assert.equal(await add([part('t', 2)]), ErrorCode.NONE)
    await c.close()
  })

  it('markers that fail are retried until durable; the decision stands meanwhile', async () => {
    const h = await harness()
    const c = h.coordinator
    await init(c)
    await c.addPartitions({
      transactionalId: 'tx',
      producerId: 1000,
      producerEpoch: 0,
      partitions: [part('a', 0)],
    })
    h.markerCode.value = ErrorCode.KAFKA_STORAGE_ERROR
    const end = await c.endTxn({
      transactionalId: 'tx',
      producerId: 1000,
      producerEpoch: 0,
      commit: true,
      transactionVersion2: false,
    })
    assert.equal(end.errorCode, ErrorCode.NONE, 'the commit was decided')
    assert.equal(c.entry('tx')?.state, 'PrepareCommit')
    assert.equal(
      await c.addPartitions({
        transactionalId: 'tx',
        producerId: 1000,
        producerEpoch: 0,
        partitions: [part('a', 0)],
      }),
      ErrorCode.CONCURRENT_TRANSACTIONS,
    )
    h.markerCode.value = ErrorCode.NONE
    await h.clock.advanceAsync(1000)
    await c.settled()
    assert.equal(c.entry('tx')?.state, 'CompleteCommit')
    assert.equal(h.markers.length, 1)
    await c.close()
  })

  it('after a power cut, a prepared transaction is completed and an ongoing one keeps its timeout', async () => {
    const h = await harness({ abortTimedOutIntervalMs: 1000 })
    const c = h.coordinator
    await init(c, 'prepared')
    await init(c, 'ongoing')
    await c.addPartitions({
      transactionalId: 'prepared',
      producerId: 1000,
      producerEpoch: 0,
      partitions: [part('a', 0)],
    })
    await c.addOffsets({ transactionalId: 'prepared', producerId: 1000, producerEpoch: 0, groupId: 'g' })
    await c.addPartitions({
      transactionalId: 'ongoing',
      producerId: 1001,
      producerEpoch: 0,
      partitions: [part('b', 0)],
    })
    h.markerCode.value = ErrorCode.KAFKA_STORAGE_ERROR
    await c.endTxn({
      transactionalId: 'prepared',
      producerId: 1000,
      producerEpoch: 0,
      commit: true,
      transactionVersion2: false,
    })
    const markersBefore = h.markers.length
    h.markerCode.value = ErrorCode.NONE
    const restarted = await h.reopen(h.fs.crash())
    await restarted.settled()
    h.markers.splice(0, markersBefore)
    // Group offsets were completed before the cut too: completion is idempotent, it runs again.
    h.groupCompletions.splice(0, 1)
    assert.equal(restarted.entry('prepared')?.state, 'CompleteCommit')
    assert.deepEqual(
      h.markers.map((m) => [m.topic, m.marker.commit]),
      [['a', true]],
    )
    assert.deepEqual(
      h.groupCompletions.map((g) => [g.groupId, g.commit]),
      [['g', true]],
    )
    assert.equal(restarted.entry('ongoing')?.state, 'Ongoing')
    await h.clock.advanceAsync(TIMEOUT_MS)
    await restarted.settled()
    assert.equal(restarted.entry('ongoing')?.state, 'CompleteAbort')
    await restarted.close()
  })

  it('describe and list: states, producer ids, durations, patterns and unknown state filters', async () => {
    const h = await harness()
    const c = h.coordinator
    await init(c, 'alpha')
    await init(c, 'beta')
    await c.addPartitions({
      transactionalId: 'beta',
      producerId: 1001,
      producerEpoch: 0,
      partitions: [part('t', 1), part('t', 0)],
    })
    await h.clock.advanceAsync(5000)
    const [beta, missing] = c.describe(['beta', 'missing'])
    assert.deepEqual(
      { ...beta },
      {
        transactionalId: 'beta',
        errorCode: 0,
        state: 'Ongoing',
        timeoutMs: TIMEOUT_MS,
        startTimeMs: h.clock.nowMs() - 5000,
        producerId: 1001,
        producerEpoch: 0,
        topics: [{ topic: 't', partitions: [0, 1] }],
      },
    )
    assert.equal(missing.errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND)
    const all = c.list({ states: [], producerIds: [], durationMs: -1 })
    assert.deepEqual(all.transactions.map((t) => t.transactionalId).sort(), ['alpha', 'beta'])
    const ongoing = c.list({ states: ['Ongoing', 'Bogus'], producerIds: [], durationMs: -1 })
    assert.deepEqual(
      ongoing.transactions.map((t) => t.transactionalId),
      ['beta'],
    )
    assert.deepEqual(ongoing.unknownStates, ['Bogus'])
    assert.deepEqual(
      c.list({ states: [], producerIds: [1000], durationMs: -1 }).transactions.map((t) => t.transactionalId),
      ['alpha'],
    )
    assert.equal(c.list({ states: [], producerIds: [], durationMs: 10_000 }).transactions.length, 0)
    assert.equal(c.list({ states: [], producerIds: [], durationMs: 1000 }).transactions.length, 1)
    assert.deepEqual(
      c
        .list({ states: [], producerIds: [], durationMs: -1, idMatches: (id) => id.startsWith('al') })
        .transactions.map((t) => t.transactionalId),
      ['alpha'],
    )
    await c.close()
  })

  it('#12: markers carry a coordinator epoch that grows with every open, after a crash and through snapshots', async () => {
    const h = await harness({ snapshotAfterBytes: 256 })
    const commitOne = async (c: TransactionCoordinator, partition: number) => {
      const { producerId, producerEpoch } = await init(c)
      await c.addPartitions({
        transactionalId: 'tx',
        producerId,
        producerEpoch,
        partitions: [part('a', partition)],
      })
      assert.equal(
        (
          await c.endTxn({
            transactionalId: 'tx',
            producerId,
            producerEpoch,
            commit: true,
            transactionVersion2: false,
          })
        ).errorCode,
        0,
      )
      await c.settled()
      return h.markers.at(-1)?.marker.coordinatorEpoch
    }
    assert.equal(h.coordinator.coordinatorEpoch, 0)
    assert.equal(await commitOne(h.coordinator, 0), 0)
    assert.equal((await h.reopen()).coordinatorEpoch, 1)
    assert.equal(await commitOne(h.coordinator, 1), 1)
    // Enough other ids that the state log is snapshotted (the epoch must survive it), then a crash.
    for (let i = 0; i < 20; i++) await init(h.coordinator, `filler-${i}`)
    const crashed = await h.reopen(h.fs.crash())
    assert.equal(crashed.coordinatorEpoch, 2)
    assert.equal(await commitOne(crashed, 2), 2)
    assert.equal((await h.reopen()).coordinatorEpoch, 3)
    await h.coordinator.close()
  })
})
