// Core: assertions, the error catalogue and the ports (Clock, FileSystem, Transport, Random) every other
// folder builds on.
export { assert } from './assert.js'
export type { Clock, Timer } from './clock.js'
export {
  AssertionError,
  BrookError,
  type BrookErrorCode,
  type BrookErrorOptions,
  brookErrorClasses,
  ClosedError,
  CodecUnavailableError,
  ConfigError,
  CorruptCompressedError,
  CorruptDataError,
  DecompressedTooLargeError,
  FileExistsError,
  FileNotFoundError,
  InvalidRecordError,
  isRecordBatchError,
  OffsetOutOfRangeError,
  ProtocolError,
  type RecordBatchError,
  SimulatedCrashError,
  StateLogBusyError,
  StateRecordTooLargeError,
  UnknownCodecError,
} from './errors.js'
export type { FileHandle, FileSystem } from './file-system.js'
export type { Logger, LogLevel } from './logger.js'
export { createLogger, silentLogger } from './logger.js'
export { type Random, randomUuidText } from './random.js'
export type { Connection, Listener, Transport } from './transport.js'
