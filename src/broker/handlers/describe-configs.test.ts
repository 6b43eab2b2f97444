// DescribeConfigs handler against a real TopicRegistry: every topic and broker config with value,
// source and flags, synonyms and types on request, key filters, and Kafka's resource errors.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ConfigSource, ConfigType, TOPIC_CONFIG_DEFINITIONS } from '../../metadata/index.js'
import { ErrorCode } from '../../protocol/index.js'
import { ConfigResourceType, describeConfigs } from './describe-configs.js'
import { createTestBroker } from '../../testing/index.js'

const NODE_ID = 1

function setup(staticConfig: Record<string, string> = {}) {
  return createTestBroker({ config: { nodeId: NODE_ID, topicDefaults: staticConfig } })
}

describe('DescribeConfigs', () => {
  it('lists every topic config with value, source and flags (v1)', async () => {
    const { topics, call } = await setup({ 'log.retention.hours': '24' })
    await topics.createTopic({ name: 't', configs: [{ name: 'cleanup.policy', value: 'compact' }] })
    const response = await call(describeConfigs, 1, {
      resources: [{ resourceType: ConfigResourceType.TOPIC, resourceName: 't', configurationKeys: null }],
      includeSynonyms: false,
    })
    const [result] = response.results
    assert.equal(result.errorCode, ErrorCode.NONE)
    assert.equal(result.resourceName, 't')
    assert.deepEqual(
      result.configs.map((c) => c.name),
      [...TOPIC_CONFIG_DEFINITIONS.keys()],
    )
    const byName = new Map(result.configs.map((c) => [c.name, c]))
    const { name, value, readOnly, configSource, isSensitive, synonyms } = byName.get('cleanup.policy')!
    assert.deepEqual(
      { name, value, readOnly, configSource, isSensitive, synonyms },
      {
        name: 'cleanup.policy',
        value: 'compact',
        readOnly: false,
        configSource: ConfigSource.DYNAMIC_TOPIC_CONFIG,
        isSensitive: false,
        synonyms: [],
      },
    )
    assert.equal(byName.get('retention.ms')?.value, String(24 * 3_600_000))
    assert.equal(byName.get('retention.ms')?.configSource, ConfigSource.STATIC_BROKER_CONFIG)
    assert.equal(byName.get('segment.bytes')?.configSource, ConfigSource.DEFAULT_CONFIG)
  })

  it('adds synonyms on request and type and documentation from v3', async () => {
    const { topics, call } = await setup({ 'log.retention.hours': '24' })
    await topics.createTopic({ name: 't', configs: [{ name: 'retention.ms', value: '5000' }] })
    const response = await call(describeConfigs, 4, {
      resources: [
        { resourceType: ConfigResourceType.TOPIC, resourceName: 't', configurationKeys: ['retention.ms'] },
      ],
      includeSynonyms: true,
      includeDocumentation: true,
    })
    const configs = response.results[0].configs
    assert.equal(configs.length, 1)
    const [retention] = configs
    assert.equal(retention.value, '5000')
    assert.equal(retention.configType, ConfigType.LONG)
    assert.match(retention.documentation ?? '', /retention|kept/)
    assert.deepEqual(
      retention.synonyms.map((s) => [s.name, s.value, s.source]),
      [
        ['retention.ms', '5000', ConfigSource.DYNAMIC_TOPIC_CONFIG],
        ['log.retention.hours', '24', ConfigSource.STATIC_BROKER_CONFIG],
        ['log.retention.hours', '168', ConfigSource.DEFAULT_CONFIG],
      ],
    )
  })

  it('v0 reports isDefault instead of a source', async () => {
    const { topics, call } = await setup()
    await topics.createTopic({ name: 't', configs: [{ name: 'retention.ms', value: '5000' }] })
    const response = await call(describeConfigs, 0, {
      resources: [
        {
          resourceType: ConfigResourceType.TOPIC,
          resourceName: 't',
          configurationKeys: ['retention.ms', 'segment.ms'],
        },
      ],
    })
    assert.deepEqual(
      response.results[0].configs.map((c) => [c.name, c.isDefault]),
      [
        ['retention.ms', false],
        ['segment.ms', true],
      ],
    )
  })

  it('describes this broker with its dynamic configs writable, and refuses other broker ids', async () => {
    const { call } = await setup({ 'num.partitions': '3' })
    const response = await call(describeConfigs, 2, {
      resources: [
        { resourceType: ConfigResourceType.BROKER, resourceName: '1', configurationKeys: null },
        { resourceType: ConfigResourceType.BROKER, resourceName: '', configurationKeys: null },
        { resourceType: ConfigResourceType.BROKER, resourceName: '2', configurationKeys: null },
        { resourceType: ConfigResourceType.BROKER, resourceName: 'x', configurationKeys: null },
      ],
      includeSynonyms: true,
    })
    const [own, clusterDefault, other, garbage] = response.results
    assert.equal(own.errorCode, ErrorCode.NONE)
    const byName = new Map(own.configs.map((c) => [c.name, c]))
    assert.equal(byName.get('num.partitions')?.value, '3')
    assert.equal(byName.get('num.partitions')?.configSource, ConfigSource.STATIC_BROKER_CONFIG)
    assert.equal(byName.get('num.partitions')?.readOnly, true)
    assert.equal(byName.get('log.retention.ms')?.readOnly, false)
    assert.equal(byName.get('log.retention.hours')?.readOnly, true)
    assert.equal(clusterDefault.errorCode, ErrorCode.NONE)
    assert.deepEqual(clusterDefault.configs, [])
    assert.equal(other.errorCode, ErrorCode.INVALID_REQUEST)
    assert.equal(other.errorMessage, 'Unexpected broker id, expected 1, but received 2')
    assert.equal(garbage.errorCode, ErrorCode.INVALID_REQUEST)
  })

  it('answers unknown topics, bad names, loggers and unknown resource types', async () => {
    const { call } = await setup()
    const response = await call(describeConfigs, 4, {
      resources: [
        { resourceType: ConfigResourceType.TOPIC, resourceName: 'missing', configurationKeys: null },
        { resourceType: ConfigResourceType.TOPIC, resourceName: 'bad name', configurationKeys: null },
        { resourceType: ConfigResourceType.BROKER_LOGGER, resourceName: '1', configurationKeys: null },
        { resourceType: 99, resourceName: 'x', configurationKeys: null },
      ],
    })
    const [missing, badName, logger, unknown] = response.results
    assert.equal(missing.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    assert.deepEqual(missing.configs, [])
    assert.equal(badName.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION)
    assert.equal(logger.errorCode, ErrorCode.NONE)
    assert.deepEqual(
      logger.configs.map((c) => [c.name, c.value, c.configSource]),
      [['root', 'INFO', ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG]],
    )
    assert.equal(unknown.errorCode, ErrorCode.INVALID_REQUEST)
    assert.equal(unknown.resourceType, 99)
  })
})
