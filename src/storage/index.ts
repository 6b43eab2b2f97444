// storage: partition logs on disk (segments, indexes, recovery, retention, group commit) and the state log.

export { defaultMaxOpenFiles, FilePool } from './file-pool.js'
export {
  CLEANER_BACKOFF_MS_DEFAULT,
  LogCleaner,
  type LogCleanerOptions,
  type LogCleanerStats,
} from './log-cleaner.js'
export { CLEANER_IO_MAX_BYTES_PER_SECOND_DEFAULT } from './cleaner-throttle.js'
export type { CompactionResult } from './log-compaction.js'
export { defaultLogConfig, type LogConfig, resolveLogConfig } from './log-config.js'
export {
  defaultTailBudgetBytes,
  LogManager,
  type LogManagerOptions,
  parsePartitionDirName,
  partitionDirName,
} from './log-manager.js'
export { CLEANER_DEDUPE_BUFFER_BYTES_DEFAULT, OffsetMap } from './offset-map.js'
export {
  type AppendBatch,
  type AppendResult,
  type CleanableState,
  type CleanOptions,
  LogFiles,
  type OffsetAndTimestamp,
  PartitionLog,
  type PartitionLogShared,
  type ReadResult,
  type TxnMarker,
} from './partition-log.js'
export {
  lastSequenceOf,
  nextSequence,
  type OngoingTxn,
  PRODUCER_BATCHES_KEPT,
  type ProducerBatch,
  type ProducerEntry,
  ProducerStateTable,
  type SequenceCheck,
} from './producer-state.js'
export {
  encodeStateFrame,
  STATE_LOG_PENDING_BYTES_MAX_DEFAULT,
  STATE_LOG_SNAPSHOT_AFTER_BYTES_DEFAULT,
  STATE_RECORD_BYTES_MAX,
  StateLog,
  type StateLogOptions,
  type StateLogRecovery,
  type StateRecord,
  stateLogFileName,
  stateSnapshotFileName,
} from './state-log.js'
export { TailBudget, type TailOwner } from './tail-budget.js'
export {
  type AbortedTxn,
  AbortedTxnIndex,
  abortedBatchSpans,
  type AbortedTxnRange,
  controlTypeOf,
} from './txn-index.js'
