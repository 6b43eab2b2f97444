// Share-partitions (KIP-932 queues): per-partition delivery state as offset ranges, its durable records,
// and the `share.auto.offset.reset` policy. No wire format and no group membership here.
export {
  type ShareAutoOffsetReset,
  type ShareStartTarget,
  SHARE_AUTO_OFFSET_RESET_DEFAULT,
  parseShareAutoOffsetReset,
  shareStartTarget,
} from './auto-offset-reset.js'
export { type OffsetRange, OffsetRanges } from './offset-ranges.js'
export {
  type AcknowledgeResult,
  type AcknowledgementBatch,
  type DeadLetter,
  type AcquireResult,
  type AcquiredRange,
  type RecordState,
  type SharePartitionSettings,
  type ShareStateSink,
  AcknowledgeType,
  SharePartition,
} from './share-partition.js'
export {
  type DeadLetterReason,
  type DeadLetterTarget,
  type DurableDeadLetter,
  type DurableRange,
  type DurableRecordState,
  type DurableValue,
  type SharePartitionKey,
  type ShareStateRecord,
  DurableSharePartition,
  ShareStateReplay,
  sharePartitionKeyString,
} from './share-state-record.js'
export {
  SHARE_DEAD_LETTER_RECORD_TYPE,
  SHARE_GROUP_CONFIG_RECORD_TYPE,
  SHARE_STATE_DIR,
  SHARE_STATE_RECORD_TYPE,
  ShareStateStore,
  fromStateRecord,
  toStateRecord,
} from './share-state-store.js'
export {
  SHARE_SESSION_CLOSE_EPOCH,
  SHARE_SESSION_OPEN_EPOCH,
  SHARE_SESSIONS_MAX_DEFAULT,
  type ShareSession,
  ShareSessionCache,
  type ShareSessionResult,
} from './share-session-cache.js'
