import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  type ConfigDefinition,
  javaDoubleText,
  LONG_MAX_TEXT,
  parseConfigValue,
} from './config-definition.js'
import { MetadataErrorCode } from './metadata-error-code.js'

function def(type: ConfigDefinition['type'], rules: Partial<ConfigDefinition> = {}): ConfigDefinition {
  return { name: 'x.test', type, defaultValue: 'd', sensitive: false, ...rules }
}

type Row = [definition: ConfigDefinition, input: string, expectedValue: unknown, expectedText: string | null]

describe('parseConfigValue accepts', () => {
  const rows: Row[] = [
    [def('boolean'), 'true', true, 'true'],
    [def('boolean'), ' FALSE ', false, 'false'],
    [def('boolean'), 'True', true, 'true'],
    [def('int'), '42', 42, '42'],
    [def('int'), ' +7 ', 7, '7'],
    [def('int'), '-2147483648', -(2 ** 31), '-2147483648'],
    [def('int'), '2147483647', 2 ** 31 - 1, '2147483647'],
    [def('short'), '-32768', -32768, '-32768'],
    [def('long'), LONG_MAX_TEXT, 2 ** 63, LONG_MAX_TEXT],
    [def('long'), '-9223372036854775808', -(2 ** 63), '-9223372036854775808'],
    [def('long'), '007', 7, '7'],
    [def('long', { min: -2 }), '-2', -2, '-2'],
    [def('double'), '0.5', 0.5, '0.5'],
    [def('double'), '1', 1, '1.0'],
    [def('double'), '.25', 0.25, '0.25'],
    [def('double'), '1e-5', 1e-5, '1.0E-5'],
    [def('double', { min: 0, max: 1 }), '1.0', 1, '1.0'],
    [def('list'), 'compact, delete', ['compact', 'delete'], 'compact,delete'],
    [def('list'), '  ', [], ''],
    [def('list'), '', [], ''],
    [def('list', { validValues: ['a', 'b'] }), 'b,a', ['b', 'a'], 'b,a'],
    [def('string'), '  CreateTime ', 'CreateTime', 'CreateTime'],
    [def('string', { validValues: ['lz4', 'zstd'] }), 'zstd', 'zstd', 'zstd'],
    [def('class'), 'org.example.Policy', 'org.example.Policy', 'org.example.Policy'],
    [def('password'), ' s3cret ', ' s3cret ', ' s3cret '],
    [def('int', { min: 1, max: 9, alsoAllowed: [-1] }), '-1', -1, '-1'],
    [def('long', { defaultValue: null }), '5', 5, '5'],
  ]
  for (const [definition, input, value, text] of rows) {
    it(`${definition.type} ${JSON.stringify(input)}`, () => {
      const result = parseConfigValue(definition, input)
      assert.ok(result.ok, JSON.stringify(result))
      assert.deepEqual(result.value, value)
      assert.equal(result.text, text)
    })
  }

  it('null when the default is null', () => {
    const result = parseConfigValue(def('long', { defaultValue: null }), null)
    assert.deepEqual(result, { ok: true, value: null, text: null })
  })
})

describe('parseConfigValue refuses with INVALID_CONFIG', () => {
  const rows: [ConfigDefinition, string | null, RegExp][] = [
    [def('boolean'), 'yes', /either true or false/],
    [def('boolean'), '1', /either true or false/],
    [def('int'), '1.5', /type INT/],
    [def('int'), 'abc', /type INT/],
    [def('int'), '', /type INT/],
    [def('int'), '2147483648', /type INT/],
    [def('short'), '32768', /type SHORT/],
    [def('long'), '9223372036854775808', /type LONG/],
    [def('long'), '1e3', /type LONG/],
    [def('long', { min: 1 }), '0', /at least 1/],
    [def('int', { min: 1, max: 9, alsoAllowed: [-1] }), '0', /at least 1/],
    [def('int', { min: 1, max: 9, alsoAllowed: [-1] }), '10', /no more than 9/],
    [def('double'), 'NaN', /type DOUBLE/],
    [def('double'), '0.5x', /type DOUBLE/],
    [def('double', { min: 0, max: 1 }), '1.5', /no more than 1.0/],
    [def('double', { min: 0, max: 1 }), '-0.1', /at least 0.0/],
    [def('list', { validValues: ['compact', 'delete'] }), 'compact,purge', /purge/],
    [
      def('list', { validValues: ['compact', 'delete'] }),
      'compact,,delete',
      /Invalid value ''; allowed values are: compact, delete/,
    ],
    [
      def('string', { validValues: ['CreateTime', 'LogAppendTime'] }),
      'createtime',
      /one of: CreateTime, LogAppendTime/,
    ],
    [def('class'), 'not a class', /Class name/],
    [def('string'), null, /a value is required/],
    [def('list', { check: (v) => ((v as string[]).length > 1 ? 'too many' : undefined) }), 'a,b', /too many/],
  ]
  for (const [definition, input, message] of rows) {
    it(`${definition.type} ${JSON.stringify(input)}`, () => {
      const result = parseConfigValue(definition, input)
      assert.equal(result.ok, false)
      if (result.ok) return
      assert.equal(result.errorCode, MetadataErrorCode.INVALID_CONFIG)
      assert.match(result.errorMessage, message)
      assert.match(result.errorMessage, /configuration x\.test/)
    })
  }

  it('does not echo a password in the message', () => {
    const result = parseConfigValue(def('password', { check: () => 'bad' }), 'hunter2')
    assert.equal(result.ok, false)
    if (!result.ok) assert.doesNotMatch(result.errorMessage, /hunter2/)
  })
})

describe('javaDoubleText', () => {
  it('formats like Double.toString', () => {
    assert.equal(javaDoubleText(0), '0.0')
    assert.equal(javaDoubleText(0.5), '0.5')
    assert.equal(javaDoubleText(3), '3.0')
    assert.equal(javaDoubleText(1e7), '1.0E7')
    assert.equal(javaDoubleText(1.5e-4), '1.5E-4')
  })
})
