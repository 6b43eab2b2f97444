import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BROKER_CONFIG_DEFINITIONS, BrokerConfig } from './broker-configs.js'
import { ConfigSource, ConfigType, LONG_MAX_TEXT } from './config-definition.js'
import { MetadataErrorCode } from './metadata-error-code.js'
import {
  AlterConfigOp,
  applyIncrementalAlterOps,
  checkTopicConfigRules,
  resolveTopicConfig,
  TOPIC_CONFIG_DEFINITIONS,
  topicLogSettings,
  validateTopicConfigOverrides,
  validateTopicConfigValue,
} from './topic-configs.js'

describe('topic config definitions', () => {
  it('cover the configs a Kafka 4.x topic lists, in name order', () => {
    const names = [...TOPIC_CONFIG_DEFINITIONS.keys()]
    for (const name of [
      'cleanup.policy',
      'compression.type',
      'delete.retention.ms',
      'file.delete.delay.ms',
      'flush.messages',
      'flush.ms',
      'follower.replication.throttled.replicas',
      'index.interval.bytes',
      'leader.replication.throttled.replicas',
      'local.retention.bytes',
      'local.retention.ms',
      'max.compaction.lag.ms',
      'max.message.bytes',
      'message.timestamp.type',
      'message.timestamp.before.max.ms',
      'message.timestamp.after.max.ms',
      'min.cleanable.dirty.ratio',
      'min.compaction.lag.ms',
      'min.insync.replicas',
      'remote.storage.enable',
      'retention.bytes',
      'retention.ms',
      'segment.bytes',
      'segment.index.bytes',
      'segment.jitter.ms',
      'segment.ms',
      'unclean.leader.election.enable',
    ]) {
      assert.ok(names.includes(name), name)
    }
    // Removed in Kafka 4.0 (KIP-724).
    assert.ok(!names.includes('message.downconversion.enable'))
    assert.ok(!names.includes('message.format.version'))
    assert.deepEqual(names, [...names].sort())
  })

  it('have defaults that pass their own rules', () => {
    for (const definition of TOPIC_CONFIG_DEFINITIONS.values()) {
      const result = validateTopicConfigValue(definition.name, definition.defaultValue ?? '')
      assert.ok(result.ok, definition.name)
    }
  })
})

describe('validateTopicConfigValue', () => {
  const good: [string, string, string][] = [
    ['cleanup.policy', 'compact,delete', 'compact,delete'],
    ['cleanup.policy', 'compact', 'compact'],
    ['compression.type', 'zstd', 'zstd'],
    ['compression.gzip.level', '-1', '-1'],
    ['compression.zstd.level', '-5', '-5'],
    ['retention.ms', '-1', '-1'],
    ['retention.bytes', '-1', '-1'],
    ['local.retention.ms', '-2', '-2'],
    ['segment.bytes', '1048576', '1048576'],
    ['min.cleanable.dirty.ratio', '0.01', '0.01'],
    ['message.timestamp.type', 'LogAppendTime', 'LogAppendTime'],
    ['unclean.leader.election.enable', 'TRUE', 'true'],
    ['leader.replication.throttled.replicas', '*', '*'],
    ['follower.replication.throttled.replicas', '0:1, 1:1', '0:1,1:1'],
    ['max.message.bytes', ' 2000000 ', '2000000'],
    ['flush.messages', LONG_MAX_TEXT, LONG_MAX_TEXT],
  ]
  for (const [name, value, text] of good) {
    it(`accepts ${name}=${value}`, () => {
      assert.deepEqual(validateTopicConfigValue(name, value), { ok: true, text })
    })
  }

  const bad: [string, string | null, RegExp][] = [
    ['no.such.config', '1', /Unknown topic config name: no\.such\.config/],
    ['retention.ms', null, /Null value/],
    ['retention.ms', '-2', /at least -1/],
    ['retention.ms', 'forever', /type LONG/],
    ['segment.bytes', '1048575', /at least 1048576/],
    ['segment.ms', '0', /at least 1/],
    ['cleanup.policy', 'compact,compact', /duplicated/],
    ['cleanup.policy', 'purge', /purge/],
    ['compression.type', 'brotli', /one of/],
    ['compression.gzip.level', '0', /at least 1/],
    ['compression.lz4.level', '18', /no more than 17/],
    ['min.cleanable.dirty.ratio', '1.1', /no more than 1\.0/],
    ['min.insync.replicas', '0', /at least 1/],
    ['max.message.bytes', '-1', /at least 0/],
    ['unclean.leader.election.enable', 'maybe', /true or false/],
    ['message.timestamp.type', 'Create', /one of/],
    ['leader.replication.throttled.replicas', '*,0:1', /partitionId:brokerId/],
    ['follower.replication.throttled.replicas', 'a:b', /partitionId:brokerId/],
  ]
  for (const [name, value, message] of bad) {
    it(`refuses ${name}=${value}`, () => {
      const result = validateTopicConfigValue(name, value)
      assert.equal(result.ok, false)
      if (result.ok) return
      assert.equal(result.errorCode, MetadataErrorCode.INVALID_CONFIG)
      assert.match(result.errorMessage, message)
    })
  }

  it('validates a whole CreateTopics config list, later entries winning', () => {
    const result = validateTopicConfigOverrides([
      { name: 'retention.ms', value: '1000' },
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'retention.ms', value: '2000' },
    ])
    assert.deepEqual(result, { ok: true, overrides: { 'retention.ms': '2000', 'cleanup.policy': 'compact' } })
    const bad = validateTopicConfigOverrides([
      { name: 'retention.ms', value: '1000' },
      { name: 'bogus', value: 'x' },
    ])
    assert.equal(bad.ok, false)
  })
})

describe('applyIncrementalAlterOps', () => {
  const effective = (name: string): string | null => TOPIC_CONFIG_DEFINITIONS.get(name)?.defaultValue ?? null

  it('SETs and DELETEs overrides', () => {
    const result = applyIncrementalAlterOps(
      { 'retention.ms': '1000', 'segment.ms': '5000' },
      [
        { name: 'retention.ms', op: AlterConfigOp.DELETE, value: null },
        { name: 'max.message.bytes', op: AlterConfigOp.SET, value: '4096' },
      ],
      effective,
    )
    assert.deepEqual(result, { ok: true, overrides: { 'segment.ms': '5000', 'max.message.bytes': '4096' } })
  })

  it('APPENDs to the effective value and SUBTRACTs from it', () => {
    const appended = applyIncrementalAlterOps(
      {},
      [{ name: 'cleanup.policy', op: AlterConfigOp.APPEND, value: 'compact' }],
      effective,
    )
    assert.deepEqual(appended, { ok: true, overrides: { 'cleanup.policy': 'delete,compact' } })
    const again = applyIncrementalAlterOps(
      { 'cleanup.policy': 'delete,compact' },
      [{ name: 'cleanup.policy', op: AlterConfigOp.APPEND, value: 'compact' }],
      effective,
    )
    assert.deepEqual(again, { ok: true, overrides: { 'cleanup.policy': 'delete,compact' } })
    const subtracted = applyIncrementalAlterOps(
      { 'cleanup.policy': 'delete,compact' },
      [{ name: 'cleanup.policy', op: AlterConfigOp.SUBTRACT, value: 'delete' }],
      effective,
    )
    assert.deepEqual(subtracted, { ok: true, overrides: { 'cleanup.policy': 'compact' } })
  })

  it('refuses APPEND on a non-list, bad values, unknown names, duplicates and unknown ops', () => {
    const cases: [Parameters<typeof applyIncrementalAlterOps>[1], number, RegExp][] = [
      [
        [{ name: 'retention.ms', op: AlterConfigOp.APPEND, value: '1' }],
        MetadataErrorCode.INVALID_CONFIG,
        /append is not allowed/,
      ],
      [
        [{ name: 'retention.ms', op: AlterConfigOp.SUBTRACT, value: '1' }],
        MetadataErrorCode.INVALID_CONFIG,
        /subtract/,
      ],
      [
        [{ name: 'cleanup.policy', op: AlterConfigOp.APPEND, value: 'purge' }],
        MetadataErrorCode.INVALID_CONFIG,
        /purge/,
      ],
      [
        [{ name: 'retention.ms', op: AlterConfigOp.SET, value: 'x' }],
        MetadataErrorCode.INVALID_CONFIG,
        /LONG/,
      ],
      [
        [{ name: 'retention.ms', op: AlterConfigOp.SET, value: null }],
        MetadataErrorCode.INVALID_CONFIG,
        /Null/,
      ],
      [
        [{ name: 'nope', op: AlterConfigOp.DELETE, value: null }],
        MetadataErrorCode.INVALID_CONFIG,
        /Unknown topic config/,
      ],
      [
        [
          { name: 'retention.ms', op: AlterConfigOp.SET, value: '1' },
          { name: 'retention.ms', op: AlterConfigOp.DELETE, value: null },
        ],
        MetadataErrorCode.INVALID_REQUEST,
        /duplicate/,
      ],
      [[{ name: 'retention.ms', op: 7, value: '1' }], MetadataErrorCode.INVALID_REQUEST, /operation 7/],
    ]
    for (const [changes, code, message] of cases) {
      const result = applyIncrementalAlterOps({}, changes, effective)
      assert.equal(result.ok, false, JSON.stringify(changes))
      if (result.ok) continue
      assert.equal(result.errorCode, code)
      assert.match(result.errorMessage, message)
    }
  })
})

describe('resolveTopicConfig', () => {
  it('lists every topic config with its default and DEFAULT_CONFIG source', () => {
    const effective = resolveTopicConfig({}, new BrokerConfig())
    assert.equal(effective.size, TOPIC_CONFIG_DEFINITIONS.size)
    const retention = effective.get('retention.ms')!
    assert.equal(retention.value, '604800000')
    assert.equal(retention.source, ConfigSource.DEFAULT_CONFIG)
    assert.equal(retention.configType, ConfigType.LONG)
    assert.equal(retention.readOnly, false)
    assert.deepEqual(retention.synonyms, [
      { name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG },
    ])
    assert.equal(effective.get('message.timestamp.after.max.ms')!.value, '3600000')
    assert.equal(effective.get('flush.ms')!.value, LONG_MAX_TEXT)
    assert.equal(effective.get('cleanup.policy')!.configType, ConfigType.LIST)
  })

  it('takes broker static values, converting hours and minutes, in synonym priority order', () => {
    const broker = new BrokerConfig({
      'log.retention.hours': '1',
      'log.retention.minutes': '30',
      'log.segment.bytes': '2097152',
    })
    const effective = resolveTopicConfig({}, broker)
    const retention = effective.get('retention.ms')!
    assert.equal(retention.value, String(30 * 60_000))
    assert.equal(retention.parsed, 30 * 60_000)
    assert.equal(retention.source, ConfigSource.STATIC_BROKER_CONFIG)
    assert.deepEqual(
      retention.synonyms.map((s) => [s.name, s.value, s.source]),
      [
        ['log.retention.minutes', '30', ConfigSource.STATIC_BROKER_CONFIG],
        ['log.retention.hours', '1', ConfigSource.STATIC_BROKER_CONFIG],
        ['log.retention.hours', '168', ConfigSource.DEFAULT_CONFIG],
      ],
    )
    assert.equal(effective.get('segment.bytes')!.value, '2097152')
    assert.equal(effective.get('segment.bytes')!.source, ConfigSource.STATIC_BROKER_CONFIG)
  })

  it('puts topic overrides first, as DYNAMIC_TOPIC_CONFIG', () => {
    const broker = new BrokerConfig({ 'log.retention.ms': '5000' })
    const effective = resolveTopicConfig({ 'retention.ms': '1000' }, broker)
    const retention = effective.get('retention.ms')!
    assert.equal(retention.value, '1000')
    assert.equal(retention.source, ConfigSource.DYNAMIC_TOPIC_CONFIG)
    assert.deepEqual(retention.synonyms[0], {
      name: 'retention.ms',
      value: '1000',
      source: ConfigSource.DYNAMIC_TOPIC_CONFIG,
    })
    assert.deepEqual(retention.synonyms[1], {
      name: 'log.retention.ms',
      value: '5000',
      source: ConfigSource.STATIC_BROKER_CONFIG,
    })
  })

  it('gives typed log settings', () => {
    const settings = topicLogSettings(
      resolveTopicConfig(
        { 'cleanup.policy': 'compact', 'max.message.bytes': '2048' },
        new BrokerConfig({ 'log.roll.hours': '1' }),
      ),
    )
    assert.equal(settings.cleanupPolicyCompact, true)
    assert.equal(settings.cleanupPolicyDelete, false)
    assert.equal(settings.maxMessageBytes, 2048)
    assert.equal(settings.segmentMs, 3_600_000)
    assert.equal(settings.segmentBytes, 1073741824)
    assert.equal(settings.retentionBytes, -1)
    assert.equal(settings.compressionType, 'producer')
    assert.equal(settings.messageTimestampType, 'CreateTime')
    assert.ok(settings.flushMessages > Number.MAX_SAFE_INTEGER)
  })
})

describe('checkTopicConfigRules', () => {
  const broker = new BrokerConfig()
  it('refuses min.compaction.lag.ms above max.compaction.lag.ms', () => {
    const result = checkTopicConfigRules(
      resolveTopicConfig({ 'min.compaction.lag.ms': '10', 'max.compaction.lag.ms': '5' }, broker),
    )
    assert.equal(result?.errorCode, MetadataErrorCode.INVALID_CONFIG)
  })
  it('refuses remote storage, which Brook does not offer', () => {
    const result = checkTopicConfigRules(resolveTopicConfig({ 'remote.storage.enable': 'true' }, broker))
    assert.equal(result?.errorCode, MetadataErrorCode.INVALID_CONFIG)
  })
  it('accepts consistent values', () => {
    assert.equal(
      checkTopicConfigRules(resolveTopicConfig({ 'min.compaction.lag.ms': '5' }, broker)),
      undefined,
    )
  })
})

describe('configs Brook cannot apply (#9)', () => {
  it('does not list preallocate: Node can only make a file sparse, so it is refused as unknown', () => {
    assert.ok(!TOPIC_CONFIG_DEFINITIONS.has('preallocate'))
    assert.ok(!BROKER_CONFIG_DEFINITIONS.has('log.preallocate'))
    const result = validateTopicConfigValue('preallocate', 'true')
    assert.equal(result.ok, false)
    assert.equal(!result.ok && result.errorCode, MetadataErrorCode.INVALID_CONFIG)
    // An override stored before is ignored, not an error.
    const effective = resolveTopicConfig({ preallocate: 'true' }, new BrokerConfig())
    assert.equal(effective.has('preallocate'), false)
  })

  it('lets the broker defaults of the configs it applies, or stores as Kafka does, change at runtime', () => {
    for (const name of [
      'compression.gzip.level',
      'compression.zstd.level',
      'log.roll.jitter.ms',
      'log.index.size.max.bytes',
      'log.segment.delete.delay.ms',
      // Kafka 4.4 accepts these on one node too (configs-applied.py), where they change nothing.
      'compression.lz4.level',
      'log.local.retention.bytes',
      'log.local.retention.ms',
      'min.insync.replicas',
      'unclean.leader.election.enable',
    ])
      assert.equal(BROKER_CONFIG_DEFINITIONS.get(name)?.dynamic, true, name)
  })
})
