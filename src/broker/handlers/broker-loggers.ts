// BROKER_LOGGER resources (Kafka's broker-loggers): DescribeConfigs lists the root logger and every named
// logger with its level; IncrementalAlterConfigs sets or resets a level at runtime. Levels are not kept
// across a restart, as in Kafka. Kafka's TRACE acts as Brook's debug, FATAL as error.
import { type LogLevel, type LogLevels, quoted } from '../../core/index.js'
import { AlterConfigOp, ConfigSource, ConfigType } from '../../metadata/index.js'
import { ErrorCode } from '../../protocol/index.js'

/** The root logger's name in Kafka's answers. */
export const ROOT_LOGGER = 'root'

const fromKafkaLevel: Readonly<Record<string, LogLevel>> = {
  TRACE: 'debug',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
  FATAL: 'error',
}

const toKafkaLevel: Readonly<Record<LogLevel, string>> = {
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
}

const VALID_LEVELS_TEXT = Object.keys(fromKafkaLevel).sort().join(', ')

/** Every logger with its effective level, root first, as DescribeConfigs entries. */
export function describeLoggers(levels: LogLevels) {
  return [ROOT_LOGGER, ...levels.names().filter((name) => name !== ROOT_LOGGER)].map((name) => ({
    name,
    value: toKafkaLevel[name === ROOT_LOGGER ? levels.root : levels.levelOf(name)],
    readOnly: false,
    isDefault: false,
    configSource: ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG,
    isSensitive: false,
    synonyms: [],
    configType: ConfigType.UNKNOWN,
    documentation: null,
  }))
}

/**
 * Applies SET (a level) and DELETE (follow the root again) to loggers, all or nothing. Errors as Kafka's:
 * INVALID_CONFIG for an unknown logger or level, INVALID_REQUEST for removing the root's level or for
 * APPEND/SUBTRACT.
 */
export function alterLoggers(
  levels: LogLevels,
  changes: readonly { readonly name: string; readonly op: number; readonly value: string | null }[],
  validateOnly: boolean,
): { errorCode: number; errorMessage: string | null; changed: { name: string; level: string | null }[] } {
  const known = new Set([ROOT_LOGGER, ...levels.names()])
  const planned: { name: string; level: LogLevel | undefined; text: string | null }[] = []
  const fail = (errorCode: number, errorMessage: string) => ({ errorCode, errorMessage, changed: [] })
  for (const change of changes) {
    if (!known.has(change.name))
      return fail(ErrorCode.INVALID_CONFIG, `Logger ${quoted(change.name)} does not exist on this broker`)
    switch (change.op) {
      case AlterConfigOp.SET: {
        const level = change.value === null ? undefined : fromKafkaLevel[change.value]
        if (level === undefined)
          return fail(
            ErrorCode.INVALID_CONFIG,
            `Cannot set the log level of ${quoted(change.name)} to ${quoted(change.value)} as it is not a supported log level. Valid log levels are ${VALID_LEVELS_TEXT}`,
          )
        planned.push({ name: change.name, level, text: change.value })
        break
      }
      case AlterConfigOp.DELETE:
        if (change.name === ROOT_LOGGER)
          return fail(ErrorCode.INVALID_REQUEST, 'Removing the log level of the root logger is not allowed')
        planned.push({ name: change.name, level: undefined, text: null })
        break
      default:
        return fail(
          ErrorCode.INVALID_REQUEST,
          `${change.op === AlterConfigOp.APPEND ? 'APPEND' : change.op === AlterConfigOp.SUBTRACT ? 'SUBTRACT' : `Operation ${change.op}`} is not allowed for the BROKER_LOGGER resource`,
        )
    }
  }
  if (!validateOnly) {
    for (const { name, level } of planned) {
      if (name === ROOT_LOGGER) levels.root = level!
      else levels.setLevel(name, level)
    }
  }
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    changed: validateOnly ? [] : planned.map(({ name, text }) => ({ name, level: text })),
  }
}
