import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ConfigError } from '../core/index.js'
import { BROKER_CONFIG_DEFINITIONS, BrokerConfig } from './broker-configs.js'
import { ConfigSource, parseConfigValue } from './config-definition.js'
import { TOPIC_CONFIG_DEFINITIONS } from './topic-configs.js'

describe('BrokerConfig', () => {
  it("has Kafka's topic-creation defaults", () => {
    const broker = new BrokerConfig()
    assert.equal(broker.numPartitions, 1)
    assert.equal(broker.defaultReplicationFactor, 1)
    assert.equal(broker.autoCreateTopicsEnable, true)
    assert.equal(broker.deleteTopicEnable, true)
    assert.equal(broker.value('log.retention.hours'), 168)
  })

  it('takes static values and reports them as STATIC_BROKER_CONFIG', () => {
    const broker = new BrokerConfig({
      'num.partitions': '3',
      'auto.create.topics.enable': 'false',
      'unknown.thing': 'x',
    })
    assert.equal(broker.numPartitions, 3)
    assert.equal(broker.autoCreateTopicsEnable, false)
    const entries = broker.describe()
    const partitions = entries.find((entry) => entry.name === 'num.partitions')!
    assert.equal(partitions.value, '3')
    assert.equal(partitions.source, ConfigSource.STATIC_BROKER_CONFIG)
    assert.equal(partitions.readOnly, true)
    const hours = entries.find((entry) => entry.name === 'log.retention.hours')!
    assert.equal(hours.source, ConfigSource.DEFAULT_CONFIG)
    assert.ok(!entries.some((entry) => entry.name === 'unknown.thing'))
  })

  it('throws ConfigError on a bad static value', () => {
    assert.throws(() => new BrokerConfig({ 'num.partitions': '0' }), ConfigError)
    assert.throws(() => new BrokerConfig({ 'log.retention.hours': 'week' }), ConfigError)
  })

  it('defines every broker synonym a topic config names, with a default that parses', () => {
    for (const topicDefinition of TOPIC_CONFIG_DEFINITIONS.values()) {
      for (const synonym of topicDefinition.brokerSynonyms) {
        const definition = BROKER_CONFIG_DEFINITIONS.get(synonym.name)
        assert.ok(definition, `${topicDefinition.name} -> ${synonym.name}`)
        assert.ok(parseConfigValue(definition, definition.defaultValue).ok, synonym.name)
      }
    }
  })
})

describe('config documentation (#9)', () => {
  it('documents every broker and topic config Brook lists', () => {
    for (const entry of new BrokerConfig().describe())
      assert.ok((entry.documentation ?? '').length > 10, `broker config ${entry.name}`)
    for (const definition of TOPIC_CONFIG_DEFINITIONS.values())
      assert.ok((definition.documentation ?? '').length > 10, `topic config ${definition.name}`)
  })
})
