// How a Kafka config is described (name, type, default, valid values) and how its text is parsed and
// checked, following the rules of Kafka's ConfigDef: numbers and booleans are trimmed, lists split on
// commas, and the canonical text of a value is what DescribeConfigs shows.

import { quoted } from '../core/index.js'
import { failure, MetadataErrorCode, type MetadataFailure } from './metadata-error-code.js'

/** Config value types as DescribeConfigs (v3+) numbers them in its ConfigType field. */
export const ConfigType = {
  UNKNOWN: 0,
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
} as const

/** Where an effective config value came from, numbered as in DescribeConfigs' ConfigSource field. */
export const ConfigSource = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
  CLIENT_METRICS_CONFIG: 7,
  GROUP_CONFIG: 8,
} as const

/** One of the numbers in ConfigSource. */
export type ConfigSourceValue = (typeof ConfigSource)[keyof typeof ConfigSource]

/** The type of a config's value. */
export type ConfigTypeName =
  | 'boolean'
  | 'string'
  | 'int'
  | 'short'
  | 'long'
  | 'double'
  | 'list'
  | 'class'
  | 'password'

/** DescribeConfigs' ConfigType number for each type name. */
export const configTypeCode: Readonly<Record<ConfigTypeName, number>> = {
  boolean: ConfigType.BOOLEAN,
  string: ConfigType.STRING,
  int: ConfigType.INT,
  short: ConfigType.SHORT,
  long: ConfigType.LONG,
  double: ConfigType.DOUBLE,
  list: ConfigType.LIST,
  class: ConfigType.CLASS,
  password: ConfigType.PASSWORD,
}

/**
 * A parsed value. `long` values are JS numbers: exact up to 2^53, and Long.MAX_VALUE (Kafka's "never")
 * becomes 2^63, which compares as larger than any real duration or size.
 */
export type ConfigValue = boolean | number | string | readonly string[] | null

/** A config's definition. Bounds are inclusive. */
export interface ConfigDefinition {
  readonly name: string
  readonly type: ConfigTypeName
  /** Canonical text of the default, or null when the config has no default. */
  readonly defaultValue: string | null
  /** Smallest allowed number (int, short, long, double), inclusive. */
  readonly min?: number
  /** Largest allowed number, inclusive. */
  readonly max?: number
  /** Numbers allowed outside [min, max] (gzip's -1 "library default"). */
  readonly alsoAllowed?: readonly number[]
  /** Allowed values of a string (case-sensitive) or allowed items of a list. */
  readonly validValues?: readonly string[]
  /** Further rule on a parsed non-null value; returns what is wrong, or undefined. */
  readonly check?: (value: ConfigValue) => string | undefined
  /** Whether the value is secret: DescribeConfigs shows null for it. */
  readonly sensitive: boolean
  /** Broker configs only: whether it can change at runtime (dynamic broker and cluster-default configs). */
  readonly dynamic?: boolean
  /** What the config does, for DescribeConfigs' IncludeDocumentation. */
  readonly documentation?: string
}

/** A value that parsed and passed its definition's rules. `text` is its canonical form. */
export interface ParsedConfigValue {
  readonly ok: true
  readonly value: ConfigValue
  readonly text: string | null
}

const INT32_MIN = -(2 ** 31)
const INT32_MAX = 2 ** 31 - 1
const INT16_MIN = -(2 ** 15)
const INT16_MAX = 2 ** 15 - 1
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/** The text of Long.MAX_VALUE, Kafka's "no limit" for many long configs. */
export const LONG_MAX_TEXT = INT64_MAX.toString()

function invalid(name: string, text: string, reason: string): MetadataFailure {
  return failure(
    MetadataErrorCode.INVALID_CONFIG,
    `Invalid value ${quoted(text)} for configuration ${quoted(name)}: ${reason}`,
  )
}

/** Java's Double.toString for the values configs use: an integer shows as "1.0". */
export function javaDoubleText(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity'
  const magnitude = Math.abs(value)
  if (magnitude === 0 || (magnitude >= 1e-3 && magnitude < 1e7)) {
    const text = String(value)
    return text.includes('.') ? text : `${text}.0`
  }
  const [mantissa, exponent] = value.toExponential().split('e')
  const mantissaText = mantissa.includes('.') ? mantissa : `${mantissa}.0`
  return `${mantissaText}E${exponent.replace('+', '')}`
}

/**
 * Parses `text` as a value of `definition` and checks its rules. A null `text` stands for "no value" and
 * is accepted only when the definition's default is null. Errors are INVALID_CONFIG with a message.
 */
export function parseConfigValue(
  definition: ConfigDefinition,
  text: string | null,
): ParsedConfigValue | MetadataFailure {
  const { name } = definition
  if (text === null) {
    if (definition.defaultValue === null) return { ok: true, value: null, text: null }
    return invalid(name, 'null', 'a value is required')
  }
  const trimmed = text.trim()
  switch (definition.type) {
    case 'boolean': {
      const lower = trimmed.toLowerCase()
      if (lower !== 'true' && lower !== 'false')
        return invalid(name, text, 'Expected value to be either true or false')
      return checked(definition, text, lower === 'true', lower)
    }
    case 'int':
    case 'short':
    case 'long': {
      if (!/^[+-]?\d+$/.test(trimmed))
        return invalid(name, text, `Not a number of type ${definition.type.toUpperCase()}`)
      const big = BigInt(trimmed)
      const [low, high] =
        definition.type === 'int'
          ? [BigInt(INT32_MIN), BigInt(INT32_MAX)]
          : definition.type === 'short'
            ? [BigInt(INT16_MIN), BigInt(INT16_MAX)]
            : [INT64_MIN, INT64_MAX]
      if (big < low || big > high)
        return invalid(name, text, `Not a number of type ${definition.type.toUpperCase()}`)
      return checked(definition, text, Number(big), big.toString())
    }
    case 'double': {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed))
        return invalid(name, text, 'Not a number of type DOUBLE')
      const value = Number(trimmed)
      return checked(definition, text, value, javaDoubleText(value))
    }
    case 'list': {
      const items = trimmed === '' ? [] : trimmed.split(/\s*,\s*/)
      return checked(definition, text, items, items.join(','))
    }
    case 'string':
      return checked(definition, text, trimmed, trimmed)
    case 'class':
      if (trimmed !== '' && !/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(trimmed)) {
        return invalid(name, text, 'Class name is not valid')
      }
      return checked(definition, text, trimmed === '' ? null : trimmed, trimmed === '' ? null : trimmed)
    case 'password':
      return checked(definition, '[hidden]', text, text)
  }
}

function checked(
  definition: ConfigDefinition,
  shownText: string,
  value: ConfigValue,
  text: string | null,
): ParsedConfigValue | MetadataFailure {
  const { name } = definition
  if (typeof value === 'number' && !definition.alsoAllowed?.includes(value)) {
    if (definition.min !== undefined && value < definition.min) {
      return invalid(name, shownText, `Value must be at least ${boundText(definition, definition.min)}`)
    }
    if (definition.max !== undefined && value > definition.max) {
      return invalid(name, shownText, `Value must be no more than ${boundText(definition, definition.max)}`)
    }
  }
  if (definition.validValues !== undefined) {
    const allowed = definition.validValues
    if (typeof value === 'string' && !allowed.includes(value)) {
      return invalid(name, shownText, `String must be one of: ${allowed.join(', ')}`)
    }
    if (Array.isArray(value)) {
      const bad = value.find((item) => !allowed.includes(item))
      if (bad !== undefined)
        return invalid(
          name,
          shownText,
          `Invalid value '${quoted(bad)}'; allowed values are: ${allowed.join(', ')}`,
        )
    }
  }
  if (value !== null && definition.check !== undefined) {
    const problem = definition.check(value)
    if (problem !== undefined) return invalid(name, shownText, problem)
  }
  return { ok: true, value, text }
}

function boundText(definition: ConfigDefinition, bound: number): string {
  return definition.type === 'double' ? javaDoubleText(bound) : String(bound)
}

/** Parses a definition's own default; a bad default is a bug in the tables, so it throws. */
export function parseDefault(definition: ConfigDefinition): ConfigValue {
  const parsed = parseConfigValue(definition, definition.defaultValue)
  if (!parsed.ok) throw new Error(`bad default for ${definition.name}: ${parsed.errorMessage}`)
  return parsed.value
}

/** A name, value and source as DescribeConfigs' synonyms list shows them. */
export interface ConfigSynonymEntry {
  readonly name: string
  readonly value: string | null
  readonly source: ConfigSourceValue
}

/** One config's effective value for a topic or broker, ready for a DescribeConfigs entry. */
export interface EffectiveConfigEntry {
  readonly name: string
  /** Canonical text; null when unset, or when sensitive. */
  readonly value: string | null
  readonly parsed: ConfigValue
  readonly source: ConfigSourceValue
  readonly type: ConfigTypeName
  /** DescribeConfigs' ConfigType number. */
  readonly configType: number
  readonly sensitive: boolean
  readonly readOnly: boolean
  /** Where the value could come from, highest priority first (DescribeConfigs IncludeSynonyms). */
  readonly synonyms: readonly ConfigSynonymEntry[]
  /** What the config does (DescribeConfigs IncludeDocumentation), or null when undocumented. */
  readonly documentation: string | null
}
