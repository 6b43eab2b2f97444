// The catalogue of Brook's own errors: one class per stable `BROOK_ERR_*` code, all in this file.
// Callers and tests match on `code` (or the class); messages may change. Add a code by adding a class
// here and listing it in `brookErrorClasses`; `BrookError` cannot be constructed with a free-form code.

/** Base class of every error Brook raises on purpose. Only the classes below construct it. */
export class BrookError extends Error {
  /** The stable `BROOK_ERR_*` code of the error's class; match on it (or the class), not the message. */
  readonly code: string
  protected constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = 'BrookError'
  }
}

/** Options every error accepts: the error that caused it, if any. */
export type BrookErrorOptions = {
  /** The error this one wraps (Error's own `cause`). */
  cause?: unknown
}

// --- Invariants and lifecycle ---------------------------------------------------------------------

/** One of Brook's own invariants does not hold: a bug in Brook, never a client mistake. */
export class AssertionError extends BrookError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_ASSERTION'
  constructor(message = 'assertion failed', options?: BrookErrorOptions) {
    super(AssertionError.code, message, options)
    this.name = 'AssertionError'
  }
}

/** The object (log, file handle, registry, connection) was closed or failed and takes no more work. */
export class ClosedError extends BrookError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_CLOSED'
  constructor(message = 'closed', options?: BrookErrorOptions) {
    super(ClosedError.code, message, options)
    this.name = 'ClosedError'
  }
}

/** A configuration value that is missing, malformed or out of range. */
export class ConfigError extends BrookError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_CONFIG'
  constructor(message: string, options?: BrookErrorOptions) {
    super(ConfigError.code, message, options)
    this.name = 'ConfigError'
  }
}

// --- Wire protocol ----------------------------------------------------------------------------------

/** Bytes on the wire that do not form a valid Kafka message: the connection is closed. */
export class ProtocolError extends BrookError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_PROTOCOL'
  constructor(message: string, options?: BrookErrorOptions) {
    super(ProtocolError.code, message, options)
    this.name = 'ProtocolError'
  }
}

// --- Files and stored data --------------------------------------------------------------------------

/** A file or directory that does not exist (ENOENT, or the simulated file system's equivalent). */
export class FileNotFoundError extends BrookError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_NOT_FOUND'
  constructor(message: string, options?: BrookErrorOptions) {
    super(FileNotFoundError.code, message, options)
    this.name = 'FileNotFoundError'
  }
}

/** A file exists where a new one was to be created exclusively. */
export class FileExistsError extends BrookError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_EXISTS'
  constructor(message: string, options?: BrookErrorOptions) {
    super(FileExistsError.code, message, options)
    this.name = 'FileExistsError'
  }
}

/** The simulated file system crashed; every call on it fails until it is restarted. Tests only. */
export class SimulatedCrashError extends BrookError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_CRASHED'
  constructor(message = 'the simulated file system crashed', options?: BrookErrorOptions) {
    super(SimulatedCrashError.code, message, options)
    this.name = 'SimulatedCrashError'
  }
}

/** A stored segment or index whose bytes do not check out. */
export class CorruptDataError extends BrookError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_SEGMENT_CORRUPT'
  constructor(message: string, options?: BrookErrorOptions) {
    super(CorruptDataError.code, message, options)
    this.name = 'CorruptDataError'
  }
}

/** An offset outside the range a log holds. */
export class OffsetOutOfRangeError extends BrookError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_OFFSET_OUT_OF_RANGE'
  constructor(message: string, options?: BrookErrorOptions) {
    super(OffsetOutOfRangeError.code, message, options)
    this.name = 'OffsetOutOfRangeError'
  }
}

// --- Record batches (from a client or a log) ----------------------------------------------------------

/** A record, varint or batch framing is malformed or runs past its bounds (Kafka: INVALID_RECORD). */
export class InvalidRecordError extends BrookError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_RECORD_INVALID'
  constructor(message: string, options?: BrookErrorOptions) {
    super(InvalidRecordError.code, message, options)
    this.name = 'InvalidRecordError'
  }
}

/** Compressed bytes could not be decompressed (Kafka: CORRUPT_MESSAGE). */
export class CorruptCompressedError extends BrookError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_COMPRESSED_CORRUPT'
  constructor(message: string, options?: BrookErrorOptions) {
    super(CorruptCompressedError.code, message, options)
    this.name = 'CorruptCompressedError'
  }
}

/** Decompression would produce more bytes than the caller's bound or budget allows. */
export class DecompressedTooLargeError extends BrookError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_DECOMPRESSED_TOO_LARGE'
  constructor(message: string, options?: BrookErrorOptions) {
    super(DecompressedTooLargeError.code, message, options)
    this.name = 'DecompressedTooLargeError'
  }
}

/** The codec id in a batch's attributes is not one Kafka defines. */
export class UnknownCodecError extends BrookError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_CODEC_UNKNOWN'
  constructor(message: string, options?: BrookErrorOptions) {
    super(UnknownCodecError.code, message, options)
    this.name = 'UnknownCodecError'
  }
}

/** A codec's native package failed to load. */
export class CodecUnavailableError extends BrookError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_CODEC_UNAVAILABLE'
  constructor(message: string, options?: BrookErrorOptions) {
    super(CodecUnavailableError.code, message, options)
    this.name = 'CodecUnavailableError'
  }
}

/** A state-log record is over STATE_RECORD_BYTES_MAX: the owner's record is malformed or unbounded. */
export class StateRecordTooLargeError extends BrookError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_STATE_RECORD_TOO_LARGE'
  constructor(message: string, options?: BrookErrorOptions) {
    super(StateRecordTooLargeError.code, message, options)
    this.name = 'StateRecordTooLargeError'
  }
}

/** A state log holds more bytes waiting for the disk than its bound; retry once the disk catches up. */
export class StateLogBusyError extends BrookError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_STATE_LOG_BUSY'
  constructor(message: string, options?: BrookErrorOptions) {
    super(StateLogBusyError.code, message, options)
    this.name = 'StateLogBusyError'
  }
}

// --- The SDK (src/client, src/network's client side) ---------------------------------------------

/** The connection is closed, or could not be opened; the request may be retried on a new one. */
export class ConnectionError extends BrookError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_CONNECTION'
  /** True: the same request may succeed on a new connection. */
  readonly retriable = true
  constructor(message: string, options?: BrookErrorOptions) {
    super(ConnectionError.code, message, options)
    this.name = 'ConnectionError'
  }
}

/** No response within the request timeout; the connection is closed (its later responses are unusable). */
export class RequestTimeoutError extends BrookError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_REQUEST_TIMEOUT'
  /** True: the same request may succeed on a new connection. */
  readonly retriable = true
  constructor(message: string, options?: BrookErrorOptions) {
    super(RequestTimeoutError.code, message, options)
    this.name = 'RequestTimeoutError'
  }
}

/** The caller's AbortSignal fired. */
export class AbortError extends BrookError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_ABORTED'
  /** False: retrying the same call cannot help. */
  readonly retriable = false
  constructor(message = 'the operation was aborted', options?: BrookErrorOptions) {
    super(AbortError.code, message, options)
    this.name = 'AbortError'
  }
}

/** The broker does not serve any version of an API that this client can speak. */
export class UnsupportedVersionError extends BrookError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_UNSUPPORTED_VERSION'
  /** False: retrying the same call cannot help. */
  readonly retriable = false
  constructor(message: string, options?: BrookErrorOptions) {
    super(UnsupportedVersionError.code, message, options)
    this.name = 'UnsupportedVersionError'
  }
}

/** What a broker's error code says, for `KafkaError`: Kafka's number, its name, and whether a retry can help. */
export interface KafkaErrorDetails extends BrookErrorOptions {
  /** Kafka's numeric error code. */
  errorCode?: number
  /** Kafka's name for the code. */
  kafkaName?: string
  /** Whether the same request may succeed later. */
  retriable?: boolean
}

/**
 * An error code in a broker's response, e.g. `error.kafkaName === 'UNKNOWN_TOPIC_OR_PARTITION'`. The SDK
 * builds it with `kafkaError(code)` (client/errors.ts), which fills the name and retriable flag from protocol/.
 */
export class KafkaError extends BrookError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_KAFKA'
  /** Kafka's numeric error code (-1, UNKNOWN_SERVER_ERROR, when not given). */
  readonly errorCode: number
  /** Kafka's name for the code (its Errors enum), such as NOT_LEADER_OR_FOLLOWER. */
  readonly kafkaName: string
  /** True when the same request may succeed later (Kafka's RetriableException). */
  readonly retriable: boolean
  constructor(message: string, details: KafkaErrorDetails = {}) {
    super(KafkaError.code, message, details)
    this.name = 'KafkaError'
    this.errorCode = details.errorCode ?? -1
    this.kafkaName = details.kafkaName ?? 'UNKNOWN_SERVER_ERROR'
    this.retriable = details.retriable ?? false
  }
}

/** Misuse of the SDK, never worth retrying; the base of the classes below (use after close is `ClosedError`). */
export class ClientError extends BrookError {
  /** False: retrying the same call cannot help. */
  readonly retriable = false
}

/** An option or argument the SDK cannot use (a bad bootstrap address, a missing topic, a bad offset). */
export class InvalidArgumentError extends ClientError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_INVALID_ARGUMENT'
  constructor(message: string, options?: BrookErrorOptions) {
    super(InvalidArgumentError.code, message, options)
    this.name = 'InvalidArgumentError'
  }
}

/** A value or key the serialiser cannot encode; nothing was sent. */
export class SerializeError extends ClientError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_SERIALIZE'
  constructor(message: string, options?: BrookErrorOptions) {
    super(SerializeError.code, message, options)
    this.name = 'SerializeError'
  }
}

/** A received record the deserialiser cannot decode. */
export class DeserializeError extends ClientError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_DESERIALIZE'
  constructor(message: string, options?: BrookErrorOptions) {
    super(DeserializeError.code, message, options)
    this.name = 'DeserializeError'
  }
}

/** A consumer iterated a second time: each consumer has one message stream. */
export class AlreadyIteratingError extends ClientError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_ALREADY_ITERATING'
  constructor(message: string, options?: BrookErrorOptions) {
    super(AlreadyIteratingError.code, message, options)
    this.name = 'AlreadyIteratingError'
  }
}

/** An operation on a partition this consumer is not assigned (seek, pause). */
export class NotAssignedError extends ClientError {
  /** This class's stable code. */
  static readonly code = 'BROOK_ERR_NOT_ASSIGNED'
  constructor(message: string, options?: BrookErrorOptions) {
    super(NotAssignedError.code, message, options)
    this.name = 'NotAssignedError'
  }
}

/** Every error class, one per code: the catalogue that docs/ARCHITECTURE.md shows and tests check. */
export const brookErrorClasses = [
  AssertionError,
  ClosedError,
  ConfigError,
  ProtocolError,
  FileNotFoundError,
  FileExistsError,
  SimulatedCrashError,
  CorruptDataError,
  OffsetOutOfRangeError,
  InvalidRecordError,
  CorruptCompressedError,
  DecompressedTooLargeError,
  UnknownCodecError,
  CodecUnavailableError,
  StateRecordTooLargeError,
  StateLogBusyError,
  ConnectionError,
  RequestTimeoutError,
  AbortError,
  UnsupportedVersionError,
  KafkaError,
  InvalidArgumentError,
  SerializeError,
  DeserializeError,
  AlreadyIteratingError,
  NotAssignedError,
] as const

/** Every `BROOK_ERR_*` code. */
export type BrookErrorCode = (typeof brookErrorClasses)[number]['code']

/** The errors record-batch raises for bytes that are not valid records or cannot be decompressed. */
export type RecordBatchError =
  | InvalidRecordError
  | CorruptCompressedError
  | DecompressedTooLargeError
  | UnknownCodecError
  | CodecUnavailableError

/** True for the errors record-batch raises for bad bytes or codecs (see `RecordBatchError`). */
export function isRecordBatchError(error: unknown): error is RecordBatchError {
  return (
    error instanceof InvalidRecordError ||
    error instanceof CorruptCompressedError ||
    error instanceof DecompressedTooLargeError ||
    error instanceof UnknownCodecError ||
    error instanceof CodecUnavailableError
  )
}
