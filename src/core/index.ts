// Core: assertions, the error catalogue and the ports (Clock, FileSystem, Transport, Random) every other
// folder builds on.
export { assert } from './assert.js'
export { QUOTED_CHARS_MAX, quoted } from './quote.js'
export type { Clock, Timer } from './clock.js'
export {
  AbortError,
  AlreadyIteratingError,
  AssertionError,
  BrookError,
  type BrookErrorCode,
  type BrookErrorOptions,
  brookErrorClasses,
  ClientError,
  ClosedError,
  CodecUnavailableError,
  ConfigError,
  ConnectionError,
  CorruptCompressedError,
  CorruptDataError,
  DecompressedTooLargeError,
  DeserializeError,
  FileExistsError,
  FileNotFoundError,
  InvalidArgumentError,
  InvalidRecordError,
  isRecordBatchError,
  KafkaError,
  type KafkaErrorDetails,
  NotAssignedError,
  OffsetOutOfRangeError,
  ProtocolError,
  type RecordBatchError,
  RequestTimeoutError,
  SerializeError,
  SimulatedCrashError,
  StateLogBusyError,
  StateRecordTooLargeError,
  UnknownCodecError,
  UnsupportedVersionError,
} from './errors.js'
export type { FileHandle, FileSystem, VolumeSpace } from './file-system.js'
export type { Logger, LoggerOptions, LogLevel } from './logger.js'
export {
  createLogger,
  LOG_REPEAT_INTERVAL_MS,
  LOG_REPEAT_KEYS_MAX,
  LOG_SAME_MESSAGE_LINES_MAX,
  LogLevels,
  silentLogger,
} from './logger.js'
export { type Random, randomUuidText } from './random.js'
export { SliceScheduler } from './slice-scheduler.js'
export type { Connection, Listener, Transport } from './transport.js'
export {
  brookChannels,
  type ConnectionEvent,
  countBatches,
  type FsyncEvent,
  type RecordsEvent,
  type DeadLettersEvent,
  type RequestEvent,
} from './diagnostics.js'
