// storage: partition logs on disk (segments, indexes, recovery, retention, group commit) and the state log.
export { defaultLogConfig, type LogConfig, resolveLogConfig } from './log-config.js'
export {
  defaultTailBudgetBytes,
  LogManager,
  type LogManagerOptions,
  parsePartitionDirName,
  partitionDirName,
} from './log-manager.js'
export { defaultMaxOpenFiles, FilePool } from './file-pool.js'
export {
  type AppendBatch,
  type AppendResult,
  LogFiles,
  type OffsetAndTimestamp,
  PartitionLog,
  type PartitionLogShared,
  type ReadResult,
} from './partition-log.js'
export {
  lastSequenceOf,
  nextSequence,
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
