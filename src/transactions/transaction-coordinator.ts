// The transaction coordinator: transactional ids → producer id, epoch, state, timeout, partitions and
// groups, on a StateLog (every change durable before it is answered). It decides commits and aborts,
// writes the markers through the broker's ports, aborts transactions that outlive their timeout, expires
// idle transactional ids, and after a restart completes every transaction that was being committed or
// aborted. Answers are Kafka error codes; the handlers in broker/ translate requests and responses.
import {
  type Clock,
  type FileSystem,
  type Logger,
  StateLogBusyError,
  StateRecordTooLargeError,
  type Timer,
} from '../core/index.js'
import { ErrorCode } from '../protocol/index.js'
import { StateLog, type StateRecord } from '../storage/index.js'
import {
  cloneEntry,
  EPOCH_EXHAUSTED,
  EPOCH_MAX,
  fromStored,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  partitionKey,
  partitionsByTopic,
  TXN_RECORD_TYPE,
  TXN_STATES,
  toStored,
  type TxnEntry,
  type TxnState,
} from './transaction-state.js'

/** A commit or abort marker for one partition (the storage seam's TxnMarker). */
export interface TxnMarker {
  producerId: number
  producerEpoch: number
  commit: boolean
  coordinatorEpoch: number
}

/** Appends a marker and resolves with a Kafka error code once it is durable (PartitionStore.writeTxnMarker). */
export type WriteMarker = (topic: string, partition: number, marker: TxnMarker) => Promise<number>

/** Makes a transaction's pending group offsets committed or drops them (GroupCoordinator.completeTransaction). */
export type CompleteGroupTransaction = (
  groupId: string,
  producerId: number,
  producerEpoch: number,
  commit: boolean,
) => Promise<void>

/** Kafka's defaults. */
export const TRANSACTION_MAX_TIMEOUT_MS_DEFAULT = 900_000
export const TRANSACTIONAL_ID_EXPIRATION_MS_DEFAULT = 604_800_000
export const TRANSACTION_ABORT_TIMED_OUT_INTERVAL_MS_DEFAULT = 10_000
export const TRANSACTION_REMOVE_EXPIRED_INTERVAL_MS_DEFAULT = 3_600_000
/** Brook's limits. */
export const TRANSACTIONAL_IDS_MAX_DEFAULT = 100_000
export const TRANSACTION_PARTITIONS_MAX_DEFAULT = 10_000
/**
 * The state-log record holding the coordinator epoch (key COORDINATOR_EPOCH_KEY, value { epoch }). Each
 * open of the coordinator takes the next epoch, durably, before it writes any marker: Kafka's coordinator
 * epoch is its __transaction_state partition's leader epoch, which grows across restarts (#12), and a
 * partition refuses a marker older than the last one its producer got (TRANSACTION_COORDINATOR_FENCED).
 */
export const COORDINATOR_EPOCH_RECORD_TYPE = 'coordinator-epoch'
const COORDINATOR_EPOCH_KEY = 'epoch'

/** Sub-directory of the data directory holding the transaction state log. */
export const TRANSACTION_STATE_DIR = 'transactions'

export interface TransactionCoordinatorOptions {
  readonly fs: FileSystem
  /** Directory of the state log. */
  readonly dir: string
  readonly clock: Clock
  readonly logger: Logger
  readonly allocateProducerId: () => Promise<number>
  readonly writeMarker: WriteMarker
  readonly completeGroupTransaction: CompleteGroupTransaction
  /** transaction.max.timeout.ms: longer InitProducerId timeouts get INVALID_TRANSACTION_TIMEOUT. */
  readonly transactionMaxTimeoutMs?: number
  /** transactional.id.expiration.ms: an id idle this long (no transaction open) is forgotten. */
  readonly transactionalIdExpirationMs?: number
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms. */
  readonly abortTimedOutIntervalMs?: number
  /** transaction.remove.expired.transaction.cleanup.interval.ms. */
  readonly removeExpiredIntervalMs?: number
  /** Transactional ids the broker keeps; InitProducerId for one more gets POLICY_VIOLATION. */
  readonly transactionalIdsMax?: number
  /** Partitions and groups in one transaction; adding more gets TRANSACTION_ABORTABLE. */
  readonly partitionsPerTransactionMax?: number
  /** First retry delay of a marker write that failed, doubled up to 10 s. */
  readonly markerRetryBackoffMs?: number
  readonly snapshotAfterBytes?: number
}

export interface InitProducerIdInput {
  readonly transactionalId: string
  readonly transactionTimeoutMs: number
  /** KIP-360: the producer id and epoch the producer holds (-1 when it has none). */
  readonly producerId: number
  readonly producerEpoch: number
}

export interface ProducerIdAndEpoch {
  readonly errorCode: number
  readonly producerId: number
  readonly producerEpoch: number
}

export interface TransactionPartition {
  readonly topic: string
  readonly partition: number
}

export interface AddPartitionsInput {
  readonly transactionalId: string
  readonly producerId: number
  readonly producerEpoch: number
  readonly partitions: readonly TransactionPartition[]
  /** Only check that every partition is in the ongoing transaction (AddPartitionsToTxn v4+ verify-only). */
  readonly verifyOnly?: boolean
  /** Added by a transaction version 2 request (Produce v12+ through the broker). */
  readonly transactionVersion2?: boolean
}

export interface EndTxnInput {
  readonly transactionalId: string
  readonly producerId: number
  readonly producerEpoch: number
  readonly commit: boolean
  /** EndTxn v5+: transaction version 2, the epoch is bumped by every EndTxn. */
  readonly transactionVersion2: boolean
}

export interface ProduceCheck {
  readonly producerId: number
  readonly producerEpoch: number
  readonly topic: string
  readonly partition: number
  /** Produce v12+ under transaction version 2: add the partition to the transaction. */
  readonly implicitAdd: boolean
}

export interface OffsetCommitCheck {
  readonly transactionalId: string
  readonly producerId: number
  readonly producerEpoch: number
  readonly groupId: string
  /** TxnOffsetCommit v5+ under transaction version 2: add the group to the transaction. */
  readonly implicitAdd: boolean
}

/** DescribeTransactions' view of one transactional id. */
export interface TransactionDescription {
  readonly transactionalId: string
  readonly errorCode: number
  readonly state: TxnState | ''
  readonly timeoutMs: number
  readonly startTimeMs: number
  readonly producerId: number
  readonly producerEpoch: number
  readonly topics: { topic: string; partitions: number[] }[]
}

export interface ListTransactionsFilter {
  readonly states: readonly string[]
  readonly producerIds: readonly number[]
  /** Only transactions running longer than this (ms); negative: all. */
  readonly durationMs: number
  /** Only ids this predicate accepts (the handler compiles the pattern). */
  readonly idMatches?: (transactionalId: string) => boolean
}

export interface ListedTransaction {
  readonly transactionalId: string
  readonly producerId: number
  readonly state: TxnState
}

const MARKER_RETRY_BACKOFF_MAX_MS = 10_000
/** nextProducerId placeholder: a new producer id is allocated when the entry is written. */
const ALLOCATE_NEXT = -2

/** A change to the log could not be made durable: answer a retriable error, change nothing. */
class NotWritten extends Error {
  constructor(readonly errorCode: number) {
    super('transaction state not written')
  }
}

function isPrepare(state: TxnState): boolean {
  return state === 'PrepareCommit' || state === 'PrepareAbort'
}

function isComplete(state: TxnState): boolean {
  return state === 'CompleteCommit' || state === 'CompleteAbort' || state === 'Empty'
}

const result = (errorCode: number, producerId = NO_PRODUCER_ID, producerEpoch = NO_PRODUCER_EPOCH) => ({
  errorCode,
  producerId,
  producerEpoch,
})

export class TransactionCoordinator {
  readonly #log: StateLog
  /** This run's coordinator epoch, written into every marker. */
  readonly coordinatorEpoch: number
  readonly #entries: Map<string, TxnEntry>
  readonly #byProducerId = new Map<number, string>()
  readonly #locks = new Map<string, Promise<void>>()
  readonly #completions = new Map<string, Promise<void>>()
  readonly #options: TransactionCoordinatorOptions
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #maxTimeoutMs: number
  readonly #expirationMs: number
  readonly #idsMax: number
  readonly #partitionsMax: number
  readonly #abortIntervalMs: number
  readonly #expireIntervalMs: number
  #abortTimer: Timer | undefined
  #expireTimer: Timer | undefined
  #closed = false
  /** Counters for tests and metrics. */
  readonly stats = { committed: 0, aborted: 0, timedOut: 0, expired: 0, markerRetries: 0 }

  private constructor(
    options: TransactionCoordinatorOptions,
    log: StateLog,
    entries: Map<string, TxnEntry>,
    coordinatorEpoch: number,
  ) {
    this.#options = options
    this.#log = log
    this.coordinatorEpoch = coordinatorEpoch
    this.#entries = entries
    this.#clock = options.clock
    this.#logger = options.logger
    this.#maxTimeoutMs = options.transactionMaxTimeoutMs ?? TRANSACTION_MAX_TIMEOUT_MS_DEFAULT
    this.#expirationMs = options.transactionalIdExpirationMs ?? TRANSACTIONAL_ID_EXPIRATION_MS_DEFAULT
    this.#idsMax = options.transactionalIdsMax ?? TRANSACTIONAL_IDS_MAX_DEFAULT
    this.#partitionsMax = options.partitionsPerTransactionMax ?? TRANSACTION_PARTITIONS_MAX_DEFAULT
    this.#abortIntervalMs = options.abortTimedOutIntervalMs ?? TRANSACTION_ABORT_TIMED_OUT_INTERVAL_MS_DEFAULT
    this.#expireIntervalMs = options.removeExpiredIntervalMs ?? TRANSACTION_REMOVE_EXPIRED_INTERVAL_MS_DEFAULT
    for (const entry of entries.values()) this.#byProducerId.set(entry.producerId, entry.transactionalId)
  }

  /**
   * Opens the state log under `dir`, replays it, starts the timeout and expiry timers and completes every
   * transaction that was being committed or aborted (markers written again, group offsets completed).
   */
  static async open(options: TransactionCoordinatorOptions): Promise<TransactionCoordinator> {
    const entries = new Map<string, TxnEntry>()
    let coordinator: TransactionCoordinator | undefined
    let previousEpoch = -1
    const { log } = await StateLog.open({
      fs: options.fs,
      dir: options.dir,
      logger: options.logger,
      snapshotAfterBytes: options.snapshotAfterBytes,
      replay: (record) => {
        if (record.type === COORDINATOR_EPOCH_RECORD_TYPE) {
          const epoch = (record.value as { epoch?: unknown } | null)?.epoch
          if (typeof epoch === 'number' && Number.isInteger(epoch) && epoch > previousEpoch)
            previousEpoch = epoch
          return
        }
        if (record.type !== TXN_RECORD_TYPE) return
        if (record.value === null) {
          entries.delete(record.key)
          return
        }
        const entry = fromStored(record.key, record.value)
        if (entry === null) options.logger.warn('unreadable transaction record skipped', { key: record.key })
        else entries.set(record.key, entry)
      },
      snapshot: () => (coordinator === undefined ? [] : coordinator.snapshotRecords()),
    })
    // The coordinator exists before the append, so that a snapshot the append triggers holds everything.
    coordinator = new TransactionCoordinator(options, log, entries, previousEpoch + 1)
    try {
      await log.append([epochRecord(coordinator.coordinatorEpoch)])
    } catch (error) {
      await log.close().catch(() => undefined)
      throw error
    }
    coordinator.#scheduleAbortScan()
    coordinator.#scheduleExpiry()
    for (const entry of entries.values()) {
      if (isPrepare(entry.state)) void coordinator.#startCompletion(entry.transactionalId)
    }
    return coordinator
  }

  /** The state as records, for a state-log snapshot. */
  *snapshotRecords(): Iterable<StateRecord> {
    yield epochRecord(this.coordinatorEpoch)
    for (const entry of this.#entries.values())
      yield { type: TXN_RECORD_TYPE, key: entry.transactionalId, value: toStored(entry) }
  }

  /** Transactional ids known. */
  get size(): number {
    return this.#entries.size
  }

  /** A copy of one transactional id's state (tests, DescribeTransactions). */
  entry(transactionalId: string): TxnEntry | undefined {
    const entry = this.#entries.get(transactionalId)
    return entry === undefined ? undefined : cloneEntry(entry)
  }

  /** Resolves when every completion in flight (markers being written) has finished. */
  async settled(): Promise<void> {
    while (this.#completions.size > 0) await Promise.all(this.#completions.values())
  }

  // ---------------------------------------------------------------------------------------------------
  // InitProducerId

  async initProducerId(input: InitProducerIdInput): Promise<ProducerIdAndEpoch> {
    const { transactionalId } = input
    if (transactionalId === '') return result(ErrorCode.INVALID_REQUEST)
    if (input.transactionTimeoutMs <= 0 || input.transactionTimeoutMs > this.#maxTimeoutMs)
      return result(ErrorCode.INVALID_TRANSACTION_TIMEOUT)
    const expected = input.producerId >= 0 && input.producerEpoch >= 0 ? input : undefined
    return this.#withLock(transactionalId, async () => {
      const current = this.#entries.get(transactionalId)
      const now = this.#clock.nowMs()
      if (current === undefined) {
        if (this.#entries.size >= this.#idsMax) return result(ErrorCode.POLICY_VIOLATION)
        const producerId = await this.#options.allocateProducerId()
        const entry: TxnEntry = {
          transactionalId,
          producerId,
          prevProducerId: NO_PRODUCER_ID,
          nextProducerId: NO_PRODUCER_ID,
          producerEpoch: 0,
          lastProducerEpoch: NO_PRODUCER_EPOCH,
          timeoutMs: input.transactionTimeoutMs,
          state: 'Empty',
          partitions: new Set(),
          groups: new Set(),
          startTimeMs: -1,
          updateTimeMs: now,
          transactionVersion: 0,
        }
        const code = await this.#tryWrite(entry)
        return code === ErrorCode.NONE ? result(ErrorCode.NONE, producerId, 0) : result(code)
      }
      if (isPrepare(current.state) || current.state === 'PrepareEpochFence')
        return result(ErrorCode.CONCURRENT_TRANSACTIONS)
      if (expected !== undefined) {
        // KIP-360: a producer that holds an id and epoch may only bump its own.
        const own =
          expected.producerId === current.producerId ||
          (expected.producerId === current.prevProducerId && expected.producerEpoch >= EPOCH_EXHAUSTED)
        if (!own) return result(ErrorCode.PRODUCER_FENCED)
        const retry =
          expected.producerId === current.producerId &&
          expected.producerEpoch === current.lastProducerEpoch &&
          current.state === 'Empty'
        if (retry) return result(ErrorCode.NONE, current.producerId, current.producerEpoch)
        // The epoch before the last bump is the producer's own when that bump was the coordinator's fence
        // of its ongoing transaction (it retries InitProducerId after CONCURRENT_TRANSACTIONS).
        if (
          expected.producerId === current.producerId &&
          expected.producerEpoch !== current.producerEpoch &&
          expected.producerEpoch !== current.lastProducerEpoch
        )
          return result(ErrorCode.PRODUCER_FENCED)
      }
      if (current.state === 'Ongoing') {
        // A new instance of the producer: the old one's transaction is aborted with a bumped epoch (which
        // fences its writes); the producer retries on CONCURRENT_TRANSACTIONS and then gets its epoch.
        const fenced = this.#fenced(current, now)
        const code = await this.#tryWrite(fenced)
        if (code === ErrorCode.NONE) void this.#startCompletion(transactionalId)
        return result(code === ErrorCode.NONE ? ErrorCode.CONCURRENT_TRANSACTIONS : code)
      }
      const next = cloneEntry(current)
      next.timeoutMs = input.transactionTimeoutMs
      next.state = 'Empty'
      next.partitions.clear()
      next.groups.clear()
      next.startTimeMs = -1
      next.updateTimeMs = now
      next.transactionVersion = 0
      if (current.producerEpoch >= EPOCH_EXHAUSTED) {
        next.prevProducerId = current.producerId
        next.producerId = await this.#options.allocateProducerId()
        next.producerEpoch = 0
        next.lastProducerEpoch = NO_PRODUCER_EPOCH
      } else {
        next.producerEpoch = current.producerEpoch + 1
        next.lastProducerEpoch = current.producerEpoch
      }
      next.nextProducerId = NO_PRODUCER_ID
      const code = await this.#tryWrite(next)
      return code === ErrorCode.NONE
        ? result(ErrorCode.NONE, next.producerId, next.producerEpoch)
        : result(code)
    })
  }

  /** The entry aborting `current`'s ongoing transaction with a bumped epoch (PrepareAbort). */
  #fenced(current: TxnEntry, now: number): TxnEntry {
    const next = cloneEntry(current)
    if (current.producerEpoch < EPOCH_MAX) {
      next.lastProducerEpoch = current.producerEpoch
      next.producerEpoch = current.producerEpoch + 1
    }
    next.state = 'PrepareAbort'
    next.updateTimeMs = now
    return next
  }

  // ---------------------------------------------------------------------------------------------------
  // AddPartitionsToTxn, AddOffsetsToTxn, the Produce and TxnOffsetCommit checks

  /** The producer's right to change its transaction: 0 or the error to answer. */
  #checkProducer(current: TxnEntry | undefined, producerId: number, producerEpoch: number): number {
    if (current === undefined || current.producerId !== producerId)
      return ErrorCode.INVALID_PRODUCER_ID_MAPPING
    if (current.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED
    if (isPrepare(current.state) || current.state === 'PrepareEpochFence')
      return ErrorCode.CONCURRENT_TRANSACTIONS
    if (current.state === 'Dead') return ErrorCode.INVALID_PRODUCER_ID_MAPPING
    return ErrorCode.NONE
  }

  /**
   * Adds partitions and groups to the producer's transaction, which starts it if none is ongoing.
   * Answers one error code for all of them.
   */
  async #add(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    partitions: readonly string[],
    groups: readonly string[],
    transactionVersion2: boolean,
  ): Promise<number> {
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST
    return this.#withLock(transactionalId, async () => {
      const current = this.#entries.get(transactionalId)
      const check = this.#checkProducer(current, producerId, producerEpoch)
      if (check !== ErrorCode.NONE || current === undefined) return check
      const ongoing = current.state === 'Ongoing'
      const missing = partitions.filter((p) => !ongoing || !current.partitions.has(p))
      const missingGroups = groups.filter((g) => !ongoing || !current.groups.has(g))
      if (ongoing && missing.length === 0 && missingGroups.length === 0) return ErrorCode.NONE
      const next = cloneEntry(current)
      if (!ongoing) {
        next.partitions.clear()
        next.groups.clear()
        next.startTimeMs = this.#clock.nowMs()
        next.transactionVersion = transactionVersion2 ? 2 : 0
        next.state = 'Ongoing'
      }
      for (const p of missing) next.partitions.add(p)
      for (const g of missingGroups) next.groups.add(g)
      if (next.partitions.size + next.groups.size > this.#partitionsMax)
        return ErrorCode.TRANSACTION_ABORTABLE
      next.updateTimeMs = this.#clock.nowMs()
      return this.#tryWrite(next)
    })
  }

  /**
   * AddPartitionsToTxn for partitions that exist (the handler answers unknown ones): one error code
   * for all of them. verifyOnly checks without adding: INVALID_TXN_STATE if one is not in the transaction.
   */
  async addPartitions(input: AddPartitionsInput): Promise<number> {
    const keys = input.partitions.map((p) => partitionKey(p.topic, p.partition))
    if (input.verifyOnly) {
      const current = this.#entries.get(input.transactionalId)
      const check = this.#checkProducer(current, input.producerId, input.producerEpoch)
      if (check !== ErrorCode.NONE || current === undefined) return check
      if (current.state !== 'Ongoing' || keys.some((k) => !current.partitions.has(k)))
        return ErrorCode.INVALID_TXN_STATE
      return ErrorCode.NONE
    }
    return this.#add(
      input.transactionalId,
      input.producerId,
      input.producerEpoch,
      keys,
      [],
      input.transactionVersion2 === true,
    )
  }

  /** AddOffsetsToTxn: the group's offsets join the transaction. */
  addOffsets(input: {
    transactionalId: string
    producerId: number
    producerEpoch: number
    groupId: string
  }): Promise<number> {
    return this.#add(input.transactionalId, input.producerId, input.producerEpoch, [], [input.groupId], false)
  }

  /**
   * Whether a transactional batch may be appended: the partition must be in the producer's ongoing
   * transaction (or is added, under transaction version 2). Kafka's errors for a producer: an unknown
   * producer INVALID_PRODUCER_ID_MAPPING, an old epoch INVALID_PRODUCER_EPOCH, a partition not in the
   * transaction INVALID_TXN_STATE, a transaction being completed NOT_ENOUGH_REPLICAS (retriable).
   */
  async checkProduce(check: ProduceCheck): Promise<number> {
    const transactionalId = this.#byProducerId.get(check.producerId)
    const current = transactionalId === undefined ? undefined : this.#entries.get(transactionalId)
    if (current === undefined || transactionalId === undefined) return ErrorCode.INVALID_PRODUCER_ID_MAPPING
    if (current.producerEpoch !== check.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH
    const key = partitionKey(check.topic, check.partition)
    if (current.state === 'Ongoing' && current.partitions.has(key)) return ErrorCode.NONE
    if (!check.implicitAdd) {
      return isPrepare(current.state) ? ErrorCode.NOT_ENOUGH_REPLICAS : ErrorCode.INVALID_TXN_STATE
    }
    const code = await this.#add(transactionalId, check.producerId, check.producerEpoch, [key], [], true)
    if (code === ErrorCode.CONCURRENT_TRANSACTIONS) return ErrorCode.NOT_ENOUGH_REPLICAS
    if (code === ErrorCode.PRODUCER_FENCED) return ErrorCode.INVALID_PRODUCER_EPOCH
    return code
  }

  /** Whether TxnOffsetCommit may store pending offsets for the group (added under transaction version 2). */
  async checkOffsetCommit(check: OffsetCommitCheck): Promise<number> {
    const current = this.#entries.get(check.transactionalId)
    if (current === undefined || current.producerId !== check.producerId)
      return ErrorCode.INVALID_PRODUCER_ID_MAPPING
    if (current.producerEpoch !== check.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH
    if (current.state === 'Ongoing' && current.groups.has(check.groupId)) return ErrorCode.NONE
    if (!check.implicitAdd)
      return isPrepare(current.state) ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE
    return this.#add(check.transactionalId, check.producerId, check.producerEpoch, [], [check.groupId], true)
  }

  // ---------------------------------------------------------------------------------------------------
  // EndTxn

  /**
   * Commits or aborts the producer's transaction. The decision (PrepareCommit/PrepareAbort) is durable
   * before anything else; then markers go to every partition and the groups complete their offsets, and
   * the answer waits for that (a failure there leaves the transaction to be completed in the background;
   * the decision stands). Transaction version 2 bumps the epoch and answers the producer id and epoch.
   */
  async endTxn(input: EndTxnInput): Promise<ProducerIdAndEpoch> {
    const { transactionalId, commit } = input
    if (transactionalId === '') return result(ErrorCode.INVALID_REQUEST)
    const decided = await this.#withLock(
      transactionalId,
      async (): Promise<ProducerIdAndEpoch | 'complete'> => {
        const current = this.#entries.get(transactionalId)
        if (current === undefined) return result(ErrorCode.INVALID_PRODUCER_ID_MAPPING)
        const retryOfTv2 =
          input.transactionVersion2 &&
          input.producerEpoch === current.lastProducerEpoch &&
          (input.producerId === current.producerId || input.producerId === current.prevProducerId)
        if (input.producerId !== current.producerId && !retryOfTv2)
          return result(ErrorCode.INVALID_PRODUCER_ID_MAPPING)
        const answer = (code: number) => result(code, current.producerId, current.producerEpoch)
        if (retryOfTv2) {
          // A retry of an EndTxn that bumped the epoch: the same outcome again, or the state it conflicts with.
          if (current.state === (commit ? 'CompleteCommit' : 'CompleteAbort')) return answer(ErrorCode.NONE)
          if (current.state === (commit ? 'PrepareCommit' : 'PrepareAbort'))
            return answer(ErrorCode.CONCURRENT_TRANSACTIONS)
          return answer(ErrorCode.PRODUCER_FENCED)
        }
        if (input.producerEpoch !== current.producerEpoch) return result(ErrorCode.PRODUCER_FENCED)
        switch (current.state) {
          case 'Ongoing':
            break
          case 'PrepareCommit':
            return answer(commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE)
          case 'PrepareAbort':
            return answer(commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS)
          case 'CompleteCommit':
          case 'CompleteAbort':
          case 'Empty': {
            // Classic: a retry of the EndTxn that completed this transaction. Transaction version 2: an
            // abort of a transaction that never added anything still bumps the epoch (the producer cannot
            // tell whether its sends reached the log).
            if (input.transactionVersion2 && !commit) {
              const next = cloneEntry(current)
              this.#bump(next)
              if (next.nextProducerId === ALLOCATE_NEXT) {
                next.prevProducerId = next.producerId
                next.producerId = await this.#options.allocateProducerId()
                next.producerEpoch = 0
                next.nextProducerId = NO_PRODUCER_ID
              }
              next.state = 'CompleteAbort'
              next.updateTimeMs = this.#clock.nowMs()
              next.transactionVersion = 2
              const code = await this.#tryWrite(next)
              return code === ErrorCode.NONE
                ? result(ErrorCode.NONE, next.producerId, next.producerEpoch)
                : result(code)
            }
            if (current.state === (commit ? 'CompleteCommit' : 'CompleteAbort') && !input.transactionVersion2)
              return answer(ErrorCode.NONE)
            return answer(ErrorCode.INVALID_TXN_STATE)
          }
          default:
            return answer(ErrorCode.INVALID_TXN_STATE)
        }
        const next = cloneEntry(current)
        if (input.transactionVersion2) {
          this.#bump(next)
          next.transactionVersion = 2
        }
        next.state = commit ? 'PrepareCommit' : 'PrepareAbort'
        next.updateTimeMs = this.#clock.nowMs()
        const code = await this.#tryWrite(next)
        return code === ErrorCode.NONE ? ('complete' as const) : result(code)
      },
    )
    if (decided !== 'complete') return decided
    await this.#startCompletion(transactionalId, true)
    const entry = this.#entries.get(transactionalId)
    if (entry === undefined) return result(ErrorCode.NONE)
    return result(ErrorCode.NONE, entry.producerId, entry.producerEpoch)
  }

  /** Transaction version 2's epoch bump; an exhausted epoch takes a new producer id after completion. */
  #bump(next: TxnEntry): void {
    next.lastProducerEpoch = next.producerEpoch
    if (next.producerEpoch >= EPOCH_EXHAUSTED) next.nextProducerId = ALLOCATE_NEXT
    if (next.producerEpoch < EPOCH_MAX) next.producerEpoch += 1
  }

  // ---------------------------------------------------------------------------------------------------
  // Completion: markers and group offsets, then CompleteCommit/CompleteAbort

  /**
   * Completes the prepared transaction of `transactionalId` (once at a time per id). With `firstTryOnly`
   * the promise resolves after the first round even if it must be retried (EndTxn answers then).
   */
  #startCompletion(transactionalId: string, firstTryOnly = false): Promise<void> {
    let running = this.#completions.get(transactionalId)
    let firstRound: Promise<void> | undefined
    if (running === undefined) {
      let signalFirst!: () => void
      firstRound = new Promise<void>((resolve) => {
        signalFirst = resolve
      })
      running = this.#complete(transactionalId, signalFirst)
        .catch((error: unknown) => {
          this.#logger.error('transaction completion failed', { transactionalId, error })
        })
        .finally(() => {
          signalFirst()
          this.#completions.delete(transactionalId)
        })
      this.#completions.set(transactionalId, running)
    }
    return firstTryOnly && firstRound !== undefined ? firstRound : running
  }

  async #complete(transactionalId: string, signalFirst: () => void): Promise<void> {
    const done = new Set<string>()
    const groupsDone = new Set<string>()
    let backoffMs = this.#options.markerRetryBackoffMs ?? 100
    for (;;) {
      const entry = this.#entries.get(transactionalId)
      if (entry === undefined || !isPrepare(entry.state) || this.#closed) return
      const commit = entry.state === 'PrepareCommit'
      const marker: TxnMarker = {
        producerId: entry.producerId,
        producerEpoch: entry.producerEpoch,
        commit,
        coordinatorEpoch: this.coordinatorEpoch,
      }
      const partitions = [...entry.partitions].filter((p) => !done.has(p))
      const codes = await Promise.all(
        partitions.map((key) => {
          const at = key.lastIndexOf('\u0000')
          return this.#options
            .writeMarker(key.slice(0, at), Number(key.slice(at + 1)), marker)
            .catch((error: unknown) => {
              this.#logger.warn('transaction marker not written', { transactionalId, key, error })
              return ErrorCode.KAFKA_STORAGE_ERROR as number
            })
        }),
      )
      partitions.forEach((key, i) => {
        // A deleted partition needs no marker; one whose producer state has a newer epoch (a later
        // producer's marker is already there) cannot take it.
        // A newer coordinator epoch there (only if this state log was lost and its epochs began again)
        // refuses this coordinator's markers for good: retrying would never end.
        if (
          codes[i] === ErrorCode.NONE ||
          codes[i] === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ||
          codes[i] === ErrorCode.INVALID_PRODUCER_EPOCH ||
          codes[i] === ErrorCode.TRANSACTION_COORDINATOR_FENCED
        )
          done.add(key)
        if (codes[i] === ErrorCode.INVALID_PRODUCER_EPOCH)
          this.#logger.warn('transaction marker refused: older epoch', { transactionalId, key })
        if (codes[i] === ErrorCode.TRANSACTION_COORDINATOR_FENCED)
          this.#logger.warn('transaction marker refused: older coordinator epoch', {
            transactionalId,
            key,
            coordinatorEpoch: this.coordinatorEpoch,
          })
      })
      for (const groupId of entry.groups) {
        if (groupsDone.has(groupId)) continue
        try {
          await this.#options.completeGroupTransaction(groupId, entry.producerId, entry.producerEpoch, commit)
          groupsDone.add(groupId)
        } catch (error) {
          this.#logger.warn('transaction offsets not completed', { transactionalId, groupId, error })
        }
      }
      if (done.size === entry.partitions.size && groupsDone.size === entry.groups.size) {
        const written = await this.#withLock(transactionalId, async () => {
          const current = this.#entries.get(transactionalId)
          if (current === undefined || !isPrepare(current.state)) return true
          const next = cloneEntry(current)
          next.state = commit ? 'CompleteCommit' : 'CompleteAbort'
          next.partitions.clear()
          next.groups.clear()
          // The completed transaction keeps its start time: Kafka 4.4's DescribeTransactions reports it in
          // CompleteCommit / CompleteAbort and ListTransactions' duration filter matches it (#12); the
          // next InitProducerId (Empty) resets it to -1.
          next.updateTimeMs = this.#clock.nowMs()
          if (next.nextProducerId !== NO_PRODUCER_ID) {
            next.prevProducerId = next.producerId
            next.producerId = next.nextProducerId
            next.producerEpoch = 0
            next.lastProducerEpoch = NO_PRODUCER_EPOCH
            next.nextProducerId = NO_PRODUCER_ID
          }
          try {
            await this.#write(next)
            if (commit) this.stats.committed++
            else this.stats.aborted++
            return true
          } catch {
            return false
          }
        })
        if (written) return
      }
      signalFirst()
      this.stats.markerRetries++
      await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, backoffMs))
      backoffMs = Math.min(backoffMs * 2, MARKER_RETRY_BACKOFF_MAX_MS)
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Timeouts and expiry

  #scheduleAbortScan(): void {
    if (this.#closed) return
    this.#abortTimer = this.#clock.setTimeout(() => {
      void this.abortTimedOut().finally(() => this.#scheduleAbortScan())
    }, this.#abortIntervalMs)
  }

  #scheduleExpiry(): void {
    if (this.#closed) return
    this.#expireTimer = this.#clock.setTimeout(() => {
      void this.expireIdle().finally(() => this.#scheduleExpiry())
    }, this.#expireIntervalMs)
  }

  /** Aborts (with an epoch bump that fences the producer) every ongoing transaction past its timeout. */
  async abortTimedOut(): Promise<number> {
    let aborted = 0
    const now = this.#clock.nowMs()
    const due = [...this.#entries.values()].filter(
      (e) => e.state === 'Ongoing' && e.startTimeMs >= 0 && e.startTimeMs + e.timeoutMs <= now,
    )
    for (const { transactionalId } of due) {
      const started = await this.#withLock(transactionalId, async () => {
        const current = this.#entries.get(transactionalId)
        const at = this.#clock.nowMs()
        if (
          current === undefined ||
          current.state !== 'Ongoing' ||
          current.startTimeMs + current.timeoutMs > at
        )
          return false
        const fenced = this.#fenced(current, at)
        // Transaction version 2 producers learn the new epoch from their next EndTxn's answer; they
        // are fenced like classic ones here, as Kafka does on a timeout.
        return (await this.#tryWrite(fenced)) === ErrorCode.NONE
      })
      if (started === true) {
        aborted++
        this.stats.timedOut++
        this.#logger.info('transaction timed out, aborting', { transactionalId })
        void this.#startCompletion(transactionalId)
      }
    }
    return aborted
  }

  /** Forgets transactional ids without an open transaction that were idle past the expiration. */
  async expireIdle(): Promise<number> {
    let expired = 0
    const now = this.#clock.nowMs()
    const due = [...this.#entries.values()].filter(
      (e) => isComplete(e.state) && e.updateTimeMs + this.#expirationMs <= now,
    )
    for (const { transactionalId } of due) {
      const removed = await this.#withLock(transactionalId, async () => {
        const current = this.#entries.get(transactionalId)
        if (current === undefined || !isComplete(current.state)) return false
        if (current.updateTimeMs + this.#expirationMs > this.#clock.nowMs()) return false
        try {
          await this.#log.append([{ type: TXN_RECORD_TYPE, key: transactionalId, value: null }])
        } catch {
          return false
        }
        this.#entries.delete(transactionalId)
        if (this.#byProducerId.get(current.producerId) === transactionalId)
          this.#byProducerId.delete(current.producerId)
        return true
      })
      if (removed) expired++
    }
    this.stats.expired += expired
    return expired
  }

  // ---------------------------------------------------------------------------------------------------
  // Administration

  /** Writes one marker through the port: WriteTxnMarkers, the Admin client's abort of a hanging transaction. */
  async writeMarker(topic: string, partition: number, marker: TxnMarker): Promise<number> {
    try {
      return await this.#options.writeMarker(topic, partition, marker)
    } catch (error) {
      this.#logger.warn('transaction marker not written', { topic, partition, error })
      return ErrorCode.KAFKA_STORAGE_ERROR
    }
  }

  describe(transactionalIds: readonly string[]): TransactionDescription[] {
    return transactionalIds.map((transactionalId) => {
      const entry = this.#entries.get(transactionalId)
      if (entry === undefined) {
        return {
          transactionalId,
          errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND,
          state: '',
          timeoutMs: 0,
          startTimeMs: -1,
          producerId: NO_PRODUCER_ID,
          producerEpoch: NO_PRODUCER_EPOCH,
          topics: [],
        }
      }
      return {
        transactionalId,
        errorCode: ErrorCode.NONE,
        state: entry.state,
        timeoutMs: entry.timeoutMs,
        startTimeMs: entry.startTimeMs,
        producerId: entry.producerId,
        producerEpoch: entry.producerEpoch,
        topics: [...partitionsByTopic(entry.partitions)].map(([topic, partitions]) => ({
          topic,
          partitions,
        })),
      }
    })
  }

  /** ListTransactions: the ids matching every filter given, and the state filters that name no state. */
  list(filter: ListTransactionsFilter): { transactions: ListedTransaction[]; unknownStates: string[] } {
    const known = new Set<string>(TXN_STATES)
    const unknownStates = filter.states.filter((s) => !known.has(s))
    const states = new Set(filter.states)
    const producerIds = new Set(filter.producerIds)
    const now = this.#clock.nowMs()
    const transactions: ListedTransaction[] = []
    for (const entry of this.#entries.values()) {
      if (states.size > 0 && !states.has(entry.state)) continue
      if (producerIds.size > 0 && !producerIds.has(entry.producerId)) continue
      if (filter.durationMs >= 0 && (entry.startTimeMs < 0 || now - entry.startTimeMs <= filter.durationMs))
        continue
      if (filter.idMatches !== undefined && !filter.idMatches(entry.transactionalId)) continue
      transactions.push({
        transactionalId: entry.transactionalId,
        producerId: entry.producerId,
        state: entry.state,
      })
    }
    return { transactions, unknownStates }
  }

  /** Stops the timers, lets completions in flight stop at their next step, and closes the state log. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#abortTimer?.cancel()
    this.#expireTimer?.cancel()
    await Promise.all(this.#locks.values())
    await this.#log.close()
  }

  // ---------------------------------------------------------------------------------------------------
  // Durable changes

  /** Runs `fn` after every earlier operation on the same transactional id. */
  async #withLock<T>(transactionalId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(transactionalId) ?? Promise.resolve()
    let release!: () => void
    const mine = new Promise<void>((resolve) => {
      release = resolve
    })
    const chained = previous.then(() => mine)
    this.#locks.set(transactionalId, chained)
    await previous
    try {
      return await fn()
    } finally {
      release()
      if (this.#locks.get(transactionalId) === chained) this.#locks.delete(transactionalId)
    }
  }

  /** Makes `entry` durable, then the current state; throws NotWritten when the log refused it. */
  async #write(entry: TxnEntry): Promise<void> {
    if (this.#closed) throw new NotWritten(ErrorCode.COORDINATOR_NOT_AVAILABLE)
    if (entry.nextProducerId === ALLOCATE_NEXT)
      entry.nextProducerId = await this.#options.allocateProducerId()
    try {
      await this.#log.append([{ type: TXN_RECORD_TYPE, key: entry.transactionalId, value: toStored(entry) }])
    } catch (error) {
      if (error instanceof StateRecordTooLargeError) throw new NotWritten(ErrorCode.TRANSACTION_ABORTABLE)
      if (!(error instanceof StateLogBusyError))
        this.#logger.error('transaction state not written', { transactionalId: entry.transactionalId, error })
      throw new NotWritten(ErrorCode.COORDINATOR_NOT_AVAILABLE)
    }
    const previous = this.#entries.get(entry.transactionalId)
    if (previous !== undefined && previous.producerId !== entry.producerId) {
      if (this.#byProducerId.get(previous.producerId) === entry.transactionalId)
        this.#byProducerId.delete(previous.producerId)
    }
    this.#entries.set(entry.transactionalId, entry)
    this.#byProducerId.set(entry.producerId, entry.transactionalId)
  }

  /** Writes `entry`: NONE, or the error to answer when the log refused it (nothing changed then). */
  async #tryWrite(entry: TxnEntry): Promise<number> {
    try {
      await this.#write(entry)
      return ErrorCode.NONE
    } catch (error) {
      if (error instanceof NotWritten) return error.errorCode
      throw error
    }
  }
}

/** The state-log record of the coordinator epoch. */
function epochRecord(epoch: number): StateRecord {
  return { type: COORDINATOR_EPOCH_RECORD_TYPE, key: COORDINATOR_EPOCH_KEY, value: { epoch } }
}
