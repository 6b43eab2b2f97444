// Brook's own error classes. Each has a stable `code` that callers and tests match on; messages may change.

/** Base class of every error Brook raises on purpose. */
export class BrookError extends Error {
  readonly code: string
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = 'BrookError'
  }
}

/** Bytes on the wire that do not form a valid Kafka message: the connection is closed. */
export class ProtocolError extends BrookError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BROOK_ERR_PROTOCOL', message, options)
    this.name = 'ProtocolError'
  }
}

/** A stored segment or index whose bytes do not check out. */
export class CorruptDataError extends BrookError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BROOK_ERR_SEGMENT_CORRUPT', message, options)
    this.name = 'CorruptDataError'
  }
}

/** A configuration value that is missing, malformed or out of range. */
export class ConfigError extends BrookError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BROOK_ERR_CONFIG', message, options)
    this.name = 'ConfigError'
  }
}
