// Dynamic broker configs (#9): IncrementalAlterConfigs and AlterConfigs on this broker and on the
// cluster-wide default, seen by DescribeConfigs, applied live (topics fall back to them, produce, logs,
// the cleaner) and kept across a restart.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AlterConfigOp, ConfigSource } from '../../metadata/index.js'
import { ErrorCode } from '../../protocol/index.js'
import { buildRecordBatch } from '../../record-batch/index.js'
import { type TestBroker, createTestBroker, SimFileSystem } from '../../testing/index.js'
import { ConfigResourceType } from './describe-configs.js'
import { describeConfigs } from './describe-configs.js'
import { incrementalAlterConfigs } from './incremental-alter-configs.js'
import { produce } from './produce.js'

type Change = { name: string; op: number; value: string | null }

async function alter(broker: TestBroker, resourceName: string, changes: Change[], validateOnly = false) {
  const response = await broker.call(incrementalAlterConfigs, 1, {
    resources: [
      {
        resourceType: ConfigResourceType.BROKER,
        resourceName,
        configs: changes.map((c) => ({ name: c.name, configOperation: c.op, value: c.value })),
      },
    ],
    validateOnly,
  })
  const [answer] = response.responses
  return { errorCode: answer.errorCode, errorMessage: answer.errorMessage }
}

const set = (name: string, value: string): Change => ({ name, op: AlterConfigOp.SET, value })
const del = (name: string): Change => ({ name, op: AlterConfigOp.DELETE, value: null })

async function describeOne(broker: TestBroker, resourceType: number, resourceName: string) {
  const response = await broker.call(describeConfigs, 4, {
    resources: [{ resourceType, resourceName, configurationKeys: null }],
    includeSynonyms: true,
    includeDocumentation: false,
  })
  const [result] = response.results
  assert.equal(result.errorCode, ErrorCode.NONE, result.errorMessage ?? '')
  return new Map(result.configs.map((c) => [c.name, c]))
}

describe('dynamic broker configs (#9)', () => {
  it('topics fall back to this broker, then the cluster default, then static, then the default', async () => {
    const broker = await createTestBroker({ config: { topicDefaults: { 'log.retention.hours': '48' } } })
    await broker.topics.createTopic({ name: 't' })
    await broker.topics.createTopic({ name: 'own', configs: [{ name: 'retention.ms', value: '1000' }] })
    const retention = async (topic: string) =>
      (await describeOne(broker, ConfigResourceType.TOPIC, topic)).get('retention.ms')!
    let entry = await retention('t')
    assert.equal(entry.value, String(48 * 3_600_000))
    assert.equal(entry.configSource, ConfigSource.STATIC_BROKER_CONFIG)

    assert.deepEqual(await alter(broker, '', [set('log.retention.ms', '7200000')]), {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
    })
    assert.equal((await alter(broker, '1', [set('log.retention.ms', '3600000')])).errorCode, ErrorCode.NONE)
    entry = await retention('t')
    assert.equal(entry.value, '3600000')
    assert.equal(entry.configSource, ConfigSource.DYNAMIC_BROKER_CONFIG)
    assert.deepEqual(
      entry.synonyms.map((s) => [s.source, s.name, s.value]),
      [
        [ConfigSource.DYNAMIC_BROKER_CONFIG, 'log.retention.ms', '3600000'],
        [ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, 'log.retention.ms', '7200000'],
        [ConfigSource.STATIC_BROKER_CONFIG, 'log.retention.hours', '48'],
        [ConfigSource.DEFAULT_CONFIG, 'log.retention.hours', '168'],
      ],
    )
    // The topic's own override still wins.
    assert.equal((await retention('own')).value, '1000')
    assert.equal(broker.context.partitions.settings('t')?.retentionMs, 3_600_000)

    await alter(broker, '1', [del('log.retention.ms')])
    entry = await retention('t')
    assert.equal(entry.value, '7200000')
    assert.equal(entry.configSource, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)
    assert.equal(broker.context.partitions.settings('t')?.retentionMs, 7_200_000)

    // This broker's describe shows the layers; the cluster default lists only what is set there.
    const own = (await describeOne(broker, ConfigResourceType.BROKER, '1')).get('log.retention.ms')!
    assert.equal(own.value, '7200000')
    assert.equal(own.configSource, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)
    assert.equal(own.readOnly, false)
    const clusterDefault = await describeOne(broker, ConfigResourceType.BROKER, '')
    assert.deepEqual(
      [...clusterDefault.values()].map((c) => [c.name, c.value, c.configSource]),
      [['log.retention.ms', '7200000', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG]],
    )
    await broker.close()
  })

  it('applies message.max.bytes and log.segment.bytes live to produce and the partition logs', async () => {
    const broker = await createTestBroker()
    await broker.topics.createTopic({ name: 't' })
    const records = buildRecordBatch([{ key: 'k', value: 'x'.repeat(500), timestampMs: 1_700_000_000_000 }], {
      nowMs: 1_700_000_000_000,
    })
    const send = async () => {
      const response = await broker.call(produce, 9, {
        acks: -1,
        timeoutMs: 1000,
        topicData: [{ name: 't', partitionData: [{ index: 0, records }] }],
      })
      return response.responses[0].partitionResponses[0].errorCode
    }
    assert.equal(await send(), ErrorCode.NONE)
    assert.equal((await alter(broker, '1', [set('message.max.bytes', '200')])).errorCode, ErrorCode.NONE)
    assert.equal(await send(), ErrorCode.MESSAGE_TOO_LARGE)
    await alter(broker, '1', [del('message.max.bytes')])
    assert.equal(await send(), ErrorCode.NONE)

    await alter(broker, '', [set('log.segment.bytes', '2097152')])
    await broker.context.partitions.settled()
    const log = await broker.context.partitions.log('t', 0)
    assert.equal(log?.config.segmentBytes, 2_097_152)
    await broker.close()
  })

  it('sets the cleaner I/O budget live (log.cleaner.io.max.bytes.per.second, #9)', async () => {
    const broker = await createTestBroker()
    assert.equal(broker.context.partitions.cleanerIoMaxBytesPerSecond, Number.MAX_VALUE)
    assert.equal(
      (await alter(broker, '1', [set('log.cleaner.io.max.bytes.per.second', '1048576')])).errorCode,
      ErrorCode.NONE,
    )
    assert.equal(broker.context.partitions.cleanerIoMaxBytesPerSecond, 1_048_576)
    assert.equal(
      (await alter(broker, '1', [set('log.cleaner.io.max.bytes.per.second', '0')])).errorCode,
      ErrorCode.INVALID_REQUEST,
    )
    assert.equal(broker.context.partitions.cleanerIoMaxBytesPerSecond, 1_048_576)
    await broker.close()
  })

  it('reconfigures the cleaner and producer-id expiry live', async () => {
    const broker = await createTestBroker()
    await broker.topics.createTopic({ name: 't' })
    assert.equal(broker.context.partitions.cleanerSettings.backoffMs, 15_000)
    const result = await alter(broker, '1', [
      set('log.cleaner.backoff.ms', '500'),
      set('log.cleaner.dedupe.buffer.size', '1048576'),
      set('producer.id.expiration.ms', '60000'),
    ])
    assert.equal(result.errorCode, ErrorCode.NONE)
    assert.deepEqual(broker.context.partitions.cleanerSettings, {
      backoffMs: 500,
      dedupeBufferBytes: 1_048_576,
    })
    await broker.context.partitions.settled()
    assert.equal((await broker.context.partitions.log('t', 0))?.config.producerIdExpirationMs, 60_000)
    await broker.close()
  })

  it("refuses read-only and bad values with Kafka's INVALID_REQUEST, all or nothing", async () => {
    const broker = await createTestBroker()
    assert.deepEqual(
      await alter(broker, '1', [set('message.max.bytes', '2000'), set('num.partitions', '3')]),
      {
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: 'Cannot update these configs dynamically: [num.partitions]',
      },
    )
    assert.deepEqual(await alter(broker, '1', [set('log.retention.hours', '1')]), {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Cannot update these configs dynamically: [log.retention.hours]',
    })
    assert.deepEqual(await alter(broker, '1', [set('message.max.bytes', 'abc')]), {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Invalid value abc for configuration message.max.bytes: Not a number of type INT',
    })
    assert.deepEqual(await alter(broker, '', [set('log.segment.bytes', '100')]), {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Invalid value 100 for configuration log.segment.bytes: Value must be at least 1048576',
    })
    const conflict = await alter(broker, '', [
      set('log.cleaner.min.compaction.lag.ms', '5000'),
      set('log.cleaner.max.compaction.lag.ms', '1000'),
    ])
    assert.equal(conflict.errorCode, ErrorCode.INVALID_REQUEST)
    assert.match(conflict.errorMessage ?? '', /min.compaction.lag.ms/)
    assert.equal(
      (await alter(broker, '2', [set('message.max.bytes', '2000')])).errorCode,
      ErrorCode.INVALID_REQUEST,
    )
    // validateOnly checks without changing.
    assert.equal(
      (await alter(broker, '1', [set('message.max.bytes', '2000')], true)).errorCode,
      ErrorCode.NONE,
    )
    assert.deepEqual(broker.topics.brokerConfig.dynamicConfigs('broker'), {})
    assert.deepEqual(broker.topics.brokerConfig.dynamicConfigs('cluster-default'), {})
    // APPEND on a list config starts from the effective value.
    assert.equal(
      (await alter(broker, '', [{ name: 'log.cleanup.policy', op: AlterConfigOp.APPEND, value: 'compact' }]))
        .errorCode,
      ErrorCode.NONE,
    )
    assert.deepEqual(broker.topics.brokerConfig.dynamicConfigs('cluster-default'), {
      'log.cleanup.policy': 'delete,compact',
    })
    await broker.close()
  })

  it('stores unknown names as custom configs, described as Kafka 4.4 does and kept across a restart (#9)', async () => {
    const fs = new SimFileSystem()
    let broker = await createTestBroker({ fs })
    // Kafka keeps names it does not know (for plugins such as metric reporters), at both levels.
    assert.deepEqual(await alter(broker, '', [set('some.custom.name', '1')]), {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
    })
    assert.equal(
      (await alter(broker, '1', [set('other.custom.name', 'abc'), set('some.custom.name', '2')])).errorCode,
      ErrorCode.NONE,
    )
    // A known read-only config in the same request still fails it all.
    assert.equal(
      (await alter(broker, '1', [set('third.custom.name', 'x'), set('num.partitions', '3')])).errorCode,
      ErrorCode.INVALID_REQUEST,
    )
    const shown = (
      entry:
        | {
            value: string | null
            configSource: number
            isSensitive: boolean
            readOnly: boolean
            configType: number
            synonyms: { source: number; value: string | null }[]
          }
        | undefined,
    ) =>
      entry && [
        entry.value,
        entry.configSource,
        entry.isSensitive,
        entry.readOnly,
        entry.configType,
        entry.synonyms.map((s) => [s.source, s.value]),
      ]
    const check = async () => {
      const own = await describeOne(broker, ConfigResourceType.BROKER, '1')
      // Type UNKNOWN (0), read-only, sensitive (no value shown), a synonym per layer.
      assert.deepEqual(shown(own.get('some.custom.name')), [
        null,
        ConfigSource.DYNAMIC_BROKER_CONFIG,
        true,
        true,
        0,
        [
          [ConfigSource.DYNAMIC_BROKER_CONFIG, null],
          [ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, null],
        ],
      ])
      assert.deepEqual(shown(own.get('other.custom.name')), [
        null,
        ConfigSource.DYNAMIC_BROKER_CONFIG,
        true,
        true,
        0,
        [[ConfigSource.DYNAMIC_BROKER_CONFIG, null]],
      ])
      assert.equal(own.has('third.custom.name'), false)
      const clusterDefault = await describeOne(broker, ConfigResourceType.BROKER, '')
      assert.deepEqual(shown(clusterDefault.get('some.custom.name')), [
        null,
        ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
        true,
        true,
        0,
        [[ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, null]],
      ])
    }
    await check()
    await broker.close()
    broker = await createTestBroker({ fs })
    await check()
    assert.deepEqual(broker.topics.brokerConfig.dynamicConfigs('broker'), {
      'other.custom.name': 'abc',
      'some.custom.name': '2',
    })
    // DELETE removes one; deleting a name never set passes, as in Kafka.
    assert.equal(
      (await alter(broker, '1', [del('other.custom.name'), del('some.custom.name'), del('never.set.name')]))
        .errorCode,
      ErrorCode.NONE,
    )
    const own = await describeOne(broker, ConfigResourceType.BROKER, '1')
    assert.equal(own.has('other.custom.name'), false)
    assert.equal(own.get('some.custom.name')?.configSource, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)
    await broker.close()
  })

  it('keeps dynamic configs across a restart, and after a snapshot of the state log', async () => {
    const fs = new SimFileSystem()
    let broker = await createTestBroker({ fs })
    await broker.topics.createTopic({ name: 't' })
    await alter(broker, '', [set('log.segment.bytes', '4194304'), set('log.retention.ms', '7200000')])
    await alter(broker, '1', [set('message.max.bytes', '300000'), set('log.cleaner.backoff.ms', '700')])
    await alter(broker, '', [del('log.retention.ms')])
    await broker.close()

    broker = await createTestBroker({ fs })
    assert.deepEqual(broker.topics.brokerConfig.dynamicConfigs('cluster-default'), {
      'log.segment.bytes': '4194304',
    })
    assert.deepEqual(broker.topics.brokerConfig.dynamicConfigs('broker'), {
      'message.max.bytes': '300000',
      'log.cleaner.backoff.ms': '700',
    })
    const topic = await describeOne(broker, ConfigResourceType.TOPIC, 't')
    assert.equal(topic.get('segment.bytes')?.value, '4194304')
    assert.equal(topic.get('max.message.bytes')?.configSource, ConfigSource.DYNAMIC_BROKER_CONFIG)
    assert.equal(broker.context.partitions.cleanerSettings.backoffMs, 700)
    assert.equal((await broker.context.partitions.log('t', 0))?.config.segmentBytes, 4_194_304)
    // Clearing the last config of a scope is kept too.
    await alter(broker, '', [del('log.segment.bytes')])
    await broker.close()
    broker = await createTestBroker({ fs })
    assert.deepEqual(broker.topics.brokerConfig.dynamicConfigs('cluster-default'), {})
    assert.equal(broker.topics.brokerConfig.dynamicConfigs('broker')['message.max.bytes'], '300000')
    await broker.close()
  })
})
