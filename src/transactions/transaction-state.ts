// What the coordinator knows of one transactional id, Kafka's transaction states, and how an entry is
// stored on the state log (one keyed record per transactional id, the whole entry as its value).

/** Kafka's transaction states, by the names DescribeTransactions and ListTransactions use. */
export const TXN_STATES = [
  'Empty',
  'Ongoing',
  'PrepareCommit',
  'PrepareAbort',
  'CompleteCommit',
  'CompleteAbort',
  'Dead',
  'PrepareEpochFence',
] as const

export type TxnState = (typeof TXN_STATES)[number]

/** Producer epochs are int16; from this one on a new producer id is handed out instead of a bump. */
export const EPOCH_EXHAUSTED = 32766
export const EPOCH_MAX = 32767

/** No producer id / epoch, as Kafka writes it. */
export const NO_PRODUCER_ID = -1
export const NO_PRODUCER_EPOCH = -1

/** One transactional id's state. Partitions are kept as "topic\u0000partition" strings. */
export interface TxnEntry {
  readonly transactionalId: string
  producerId: number
  /** The producer id before the last rotation (an exhausted epoch), for retries; -1 if none. */
  prevProducerId: number
  /** Transaction version 2: the producer id to use after this transaction completes; -1 if none. */
  nextProducerId: number
  producerEpoch: number
  /** The epoch before the last bump, so that a retried EndTxn or InitProducerId is recognised; -1 if none. */
  lastProducerEpoch: number
  timeoutMs: number
  state: TxnState
  partitions: Set<string>
  groups: Set<string>
  /** When the ongoing transaction started (its first partition or group), epoch ms; -1 if none. */
  startTimeMs: number
  /** Last change, epoch ms (transactional.id.expiration.ms counts from here). */
  updateTimeMs: number
  /** 2 when the transaction uses transaction version 2 (KIP-890: epoch bump on every EndTxn), else 0. */
  transactionVersion: number
}

/** The state-log record type of transactional ids; the key is the transactional id. */
export const TXN_RECORD_TYPE = 'txn'

/** An entry as JSON on the state log. */
export interface StoredTxn {
  readonly producerId: number
  readonly prevProducerId: number
  readonly nextProducerId: number
  readonly producerEpoch: number
  readonly lastProducerEpoch: number
  readonly timeoutMs: number
  readonly state: TxnState
  /** Partitions by topic. */
  readonly topics: Readonly<Record<string, readonly number[]>>
  readonly groups: readonly string[]
  readonly startTimeMs: number
  readonly updateTimeMs: number
  readonly transactionVersion: number
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}

export function splitPartitionKey(key: string): { topic: string; partition: number } {
  const at = key.lastIndexOf('\u0000')
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) }
}

/** Partitions grouped by topic, topics and partitions sorted. */
export function partitionsByTopic(partitions: Iterable<string>): Map<string, number[]> {
  const byTopic = new Map<string, number[]>()
  for (const key of [...partitions].sort()) {
    const { topic, partition } = splitPartitionKey(key)
    let list = byTopic.get(topic)
    if (list === undefined) byTopic.set(topic, (list = []))
    list.push(partition)
  }
  for (const list of byTopic.values()) list.sort((a, b) => a - b)
  return byTopic
}

export function toStored(entry: TxnEntry): StoredTxn {
  return {
    producerId: entry.producerId,
    prevProducerId: entry.prevProducerId,
    nextProducerId: entry.nextProducerId,
    producerEpoch: entry.producerEpoch,
    lastProducerEpoch: entry.lastProducerEpoch,
    timeoutMs: entry.timeoutMs,
    state: entry.state,
    topics: Object.fromEntries(partitionsByTopic(entry.partitions)),
    groups: [...entry.groups].sort(),
    startTimeMs: entry.startTimeMs,
    updateTimeMs: entry.updateTimeMs,
    transactionVersion: entry.transactionVersion,
  }
}

const isInt = (value: unknown): value is number => Number.isSafeInteger(value)

/** Reads a stored entry back; null when the value is not one (a corrupt or foreign record). */
export function fromStored(transactionalId: string, value: unknown): TxnEntry | null {
  if (typeof value !== 'object' || value === null) return null
  const v = value as Partial<StoredTxn>
  if (
    !isInt(v.producerId) ||
    !isInt(v.producerEpoch) ||
    !isInt(v.timeoutMs) ||
    typeof v.state !== 'string' ||
    !(TXN_STATES as readonly string[]).includes(v.state) ||
    typeof v.topics !== 'object' ||
    v.topics === null ||
    !Array.isArray(v.groups)
  )
    return null
  const partitions = new Set<string>()
  for (const [topic, list] of Object.entries(v.topics)) {
    if (!Array.isArray(list)) return null
    for (const partition of list) if (isInt(partition)) partitions.add(partitionKey(topic, partition))
  }
  return {
    transactionalId,
    producerId: v.producerId,
    prevProducerId: isInt(v.prevProducerId) ? v.prevProducerId : NO_PRODUCER_ID,
    nextProducerId: isInt(v.nextProducerId) ? v.nextProducerId : NO_PRODUCER_ID,
    producerEpoch: v.producerEpoch,
    lastProducerEpoch: isInt(v.lastProducerEpoch) ? v.lastProducerEpoch : NO_PRODUCER_EPOCH,
    timeoutMs: v.timeoutMs,
    state: v.state,
    partitions,
    groups: new Set(v.groups.filter((g): g is string => typeof g === 'string')),
    startTimeMs: isInt(v.startTimeMs) ? v.startTimeMs : -1,
    updateTimeMs: isInt(v.updateTimeMs) ? v.updateTimeMs : 0,
    transactionVersion: isInt(v.transactionVersion) ? v.transactionVersion : 0,
  }
}

export function cloneEntry(entry: TxnEntry): TxnEntry {
  return { ...entry, partitions: new Set(entry.partitions), groups: new Set(entry.groups) }
}
