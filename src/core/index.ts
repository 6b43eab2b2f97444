// Core: assertions, error classes and the ports (Clock, FileSystem, Transport, Random) every other folder
// builds on.
export { AssertionError, assert } from './assert.js'
export { BrookError, ConfigError, CorruptDataError, ProtocolError } from './errors.js'
export type { Clock, Timer } from './clock.js'
export type { FileHandle, FileSystem } from './file-system.js'
export type { Connection, Listener, Transport } from './transport.js'
export type { Logger, LogLevel } from './logger.js'
export { type Random, randomUuidText } from './random.js'
export { createLogger, silentLogger } from './logger.js'
