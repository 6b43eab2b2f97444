// BROKER_LOGGER and GROUP config resources, ListConfigResources and DescribeConfigs documentation (#9):
// logger levels change at runtime and reach the logger; a consumer group's own session timeout and
// heartbeat interval apply to it; the resources are listed by type.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createLogger, type LogLevels } from '../../core/index.js'
import { AlterConfigOp, ConfigSource } from '../../metadata/index.js'
import { ErrorCode } from '../../protocol/index.js'
import { createTestBroker, type SimClock, type TestBroker } from '../../testing/index.js'
import { consumerGroupHeartbeat } from './consumer-group-heartbeat.js'
import { ConfigResourceType, describeConfigs } from './describe-configs.js'
import { incrementalAlterConfigs } from './incremental-alter-configs.js'
import { listConfigResources } from './list-config-resources.js'

type Change = { name: string; op: number; value: string | null }

async function alter(broker: TestBroker, resourceType: number, resourceName: string, changes: Change[]) {
  const response = await broker.call(incrementalAlterConfigs, 1, {
    resources: [
      {
        resourceType,
        resourceName,
        configs: changes.map((c) => ({ name: c.name, configOperation: c.op, value: c.value })),
      },
    ],
    validateOnly: false,
  })
  const [answer] = response.responses
  return [answer.errorCode, answer.errorMessage]
}

async function describeOne(broker: TestBroker, resourceType: number, resourceName: string, docs = false) {
  const response = await broker.call(describeConfigs, 4, {
    resources: [{ resourceType, resourceName, configurationKeys: null }],
    includeSynonyms: true,
    includeDocumentation: docs,
  })
  const [result] = response.results
  assert.equal(result.errorCode, ErrorCode.NONE, result.errorMessage ?? '')
  return new Map(result.configs.map((c) => [c.name, c]))
}

const set = (name: string, value: string): Change => ({ name, op: AlterConfigOp.SET, value })
const del = (name: string): Change => ({ name, op: AlterConfigOp.DELETE, value: null })

describe('BROKER_LOGGER resources (#9)', () => {
  it('lists loggers with levels and changes them at runtime, reaching the lines written', async () => {
    const broker = await createTestBroker({ config: { logLevel: 'info' } })
    const levels: LogLevels = broker.context.logLevels
    const lines: string[] = []
    const logger = createLogger({ levels, write: (line) => lines.push(line) }).child({ component: 'groups' })
    logger.debug('hidden')
    let loggers = await describeOne(broker, ConfigResourceType.BROKER_LOGGER, '1')
    assert.deepEqual(
      [...loggers.values()].map((l) => [l.name, l.value, l.configSource, l.readOnly]),
      [
        ['root', 'INFO', ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG, false],
        ['groups', 'INFO', ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG, false],
      ],
    )
    assert.deepEqual(await alter(broker, ConfigResourceType.BROKER_LOGGER, '1', [set('groups', 'DEBUG')]), [
      ErrorCode.NONE,
      null,
    ])
    logger.debug('shown')
    assert.equal(lines.length, 1)
    assert.match(lines[0], /"msg":"shown"/)
    loggers = await describeOne(broker, ConfigResourceType.BROKER_LOGGER, '1')
    assert.equal(loggers.get('groups')?.value, 'DEBUG')
    assert.equal(loggers.get('root')?.value, 'INFO')
    // Root to ERROR; groups keeps its own level until it is deleted, then follows the root.
    await alter(broker, ConfigResourceType.BROKER_LOGGER, '1', [set('root', 'ERROR')])
    assert.equal(levels.levelOf('groups'), 'debug')
    await alter(broker, ConfigResourceType.BROKER_LOGGER, '1', [del('groups')])
    assert.equal(levels.levelOf('groups'), 'error')
    logger.warn('hidden too')
    assert.equal(lines.length, 1)
    await broker.close()
  })

  it("answers Kafka's errors for a bad level, the root's removal, unknown loggers and other brokers", async () => {
    const broker = await createTestBroker()
    assert.deepEqual(await alter(broker, ConfigResourceType.BROKER_LOGGER, '1', [set('root', 'LOUD')]), [
      ErrorCode.INVALID_CONFIG,
      'Cannot set the log level of root to LOUD as it is not a supported log level. Valid log levels are DEBUG, ERROR, FATAL, INFO, TRACE, WARN',
    ])
    assert.deepEqual(await alter(broker, ConfigResourceType.BROKER_LOGGER, '1', [del('root')]), [
      ErrorCode.INVALID_REQUEST,
      'Removing the log level of the root logger is not allowed',
    ])
    const [unknown] = await alter(broker, ConfigResourceType.BROKER_LOGGER, '1', [set('no.such', 'DEBUG')])
    assert.equal(unknown, ErrorCode.INVALID_CONFIG)
    const [other] = await alter(broker, ConfigResourceType.BROKER_LOGGER, '2', [set('root', 'DEBUG')])
    assert.equal(other, ErrorCode.INVALID_REQUEST)
    // All or nothing: a bad change leaves the good one before it unapplied.
    const [mixed] = await alter(broker, ConfigResourceType.BROKER_LOGGER, '1', [
      set('root', 'DEBUG'),
      set('no.such', 'DEBUG'),
    ])
    assert.equal(mixed, ErrorCode.INVALID_CONFIG)
    assert.equal(broker.context.logLevels.root, 'info')
    await broker.close()
  })
})

describe('GROUP config resources (#9)', () => {
  async function join(broker: TestBroker, groupId: string) {
    return broker.call(consumerGroupHeartbeat, 0, {
      groupId,
      memberId: '',
      memberEpoch: 0,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: ['orders'],
      serverAssignor: null,
      topicPartitions: [],
    })
  }

  it("applies a consumer group's own heartbeat interval and session timeout", async () => {
    const broker = await createTestBroker()
    await broker.topics.createTopic({ name: 'orders' })
    const first = await join(broker, 'g')
    assert.equal(first.errorCode, ErrorCode.NONE)
    assert.equal(first.heartbeatIntervalMs, 5000)
    assert.deepEqual(
      await alter(broker, ConfigResourceType.GROUP, 'g', [
        set('consumer.heartbeat.interval.ms', '7000'),
        set('consumer.session.timeout.ms', '50000'),
      ]),
      [ErrorCode.NONE, null],
    )
    const configs = await describeOne(broker, ConfigResourceType.GROUP, 'g', true)
    const session = configs.get('consumer.session.timeout.ms')!
    assert.equal(session.value, '50000')
    assert.equal(session.configSource, ConfigSource.GROUP_CONFIG)
    assert.deepEqual(
      session.synonyms.map((s) => [s.source, s.name, s.value]),
      [
        [ConfigSource.GROUP_CONFIG, 'consumer.session.timeout.ms', '50000'],
        [ConfigSource.DEFAULT_CONFIG, 'group.consumer.session.timeout.ms', '45000'],
      ],
    )
    assert.ok((session.documentation ?? '').length > 0)
    // The member's next heartbeat carries the group's interval and restarts its session with the group's
    // timeout: it is removed after 50 s without a heartbeat, not the broker's 45 s.
    const again = await broker.call(consumerGroupHeartbeat, 0, {
      groupId: 'g',
      memberId: first.memberId ?? '',
      memberEpoch: first.memberEpoch,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: -1,
      subscribedTopicNames: null,
      serverAssignor: null,
      topicPartitions: null,
    })
    assert.equal(again.errorCode, ErrorCode.NONE)
    assert.equal(again.heartbeatIntervalMs, 7000)
    const clock = broker.clock as SimClock
    const alive = () =>
      broker.context.groups.describeConsumerGroup('g').members.some((m) => m.memberId === first.memberId)
    await clock.advanceAsync(47_000)
    assert.equal(alive(), true)
    await clock.advanceAsync(4_000)
    assert.equal(alive(), false)
    await broker.close()
  })

  it('#9: a restart resumes a consumer group whose members were restored before the group configs were read', async () => {
    // Group configs live in the share state store, opened after the groups: restoring a member asked for
    // its session timeout before that store existed and threw, and the group restarted empty (its members
    // then got UNKNOWN_MEMBER_ID from OffsetCommit: tests/compat/groups live-restart/java-consumer).
    const broker = await createTestBroker()
    await broker.topics.createTopic({ name: 'orders' })
    const first = await join(broker, 'g')
    assert.equal(first.errorCode, ErrorCode.NONE)
    assert.deepEqual(
      await alter(broker, ConfigResourceType.GROUP, 'g', [set('consumer.session.timeout.ms', '50000')]),
      [ErrorCode.NONE, null],
    )
    const restarted = await createTestBroker({
      fs: broker.fs.crash({ keepRandomPrefix: false }),
      clock: broker.clock,
    })
    const members = () => restarted.context.groups.describeConsumerGroup('g').members.map((m) => m.memberId)
    assert.deepEqual(members(), [first.memberId])
    const again = await restarted.call(consumerGroupHeartbeat, 0, {
      groupId: 'g',
      memberId: first.memberId ?? '',
      memberEpoch: first.memberEpoch,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: -1,
      subscribedTopicNames: null,
      serverAssignor: null,
      topicPartitions: null,
    })
    assert.equal(again.errorCode, ErrorCode.NONE, again.errorMessage ?? '')
    // The group's own session timeout (50 s, not the broker's 45 s) holds after the restart too.
    const clock = restarted.clock as SimClock
    await clock.advanceAsync(47_000)
    assert.deepEqual(members(), [first.memberId])
    await clock.advanceAsync(4_000)
    assert.deepEqual(members(), [])
    await restarted.close()
  })

  it("refuses values out of Kafka's bounds and unknown names with INVALID_CONFIG", async () => {
    const broker = await createTestBroker()
    assert.deepEqual(
      await alter(broker, ConfigResourceType.GROUP, 'g', [set('consumer.session.timeout.ms', '5')]),
      [
        ErrorCode.INVALID_CONFIG,
        'consumer.session.timeout.ms must be in the range 45000 to 60000 inclusive.',
      ],
    )
    assert.deepEqual(await alter(broker, ConfigResourceType.GROUP, 'g', [set('foo', '1')]), [
      ErrorCode.INVALID_CONFIG,
      'Unknown group config name: foo',
    ])
    await broker.close()
  })
})

describe('ListConfigResources (#9)', () => {
  it('lists topics, this broker, its loggers and groups (with configs or not) by type', async () => {
    const broker = await createTestBroker()
    await broker.topics.createTopic({ name: 'b-topic' })
    await broker.topics.createTopic({ name: 'a-topic' })
    await alter(broker, ConfigResourceType.GROUP, 'configured', [set('share.delivery.count.limit', '3')])
    const names = (response: { configResources: { resourceName: string; resourceType: number }[] }) =>
      response.configResources.map((r) => `${r.resourceType}:${r.resourceName}`)
    const all = await broker.call(listConfigResources, 1, { resourceTypes: [] })
    assert.equal(all.errorCode, ErrorCode.NONE)
    assert.deepEqual(names(all), ['2:a-topic', '2:b-topic', '4:1', '8:1', '32:configured'])
    const some = await broker.call(listConfigResources, 1, { resourceTypes: [32, 4] })
    assert.deepEqual(names(some), ['4:1', '32:configured'])
    // v0 (ListClientMetricsResources): client-metrics resources only; Brook has none.
    const v0 = await broker.call(listConfigResources, 0, {})
    assert.deepEqual(v0.configResources, [])
    const bad = await broker.call(listConfigResources, 1, { resourceTypes: [99] })
    assert.equal(bad.errorCode, ErrorCode.UNSUPPORTED_VERSION)
    await broker.close()
  })
})

describe('DescribeConfigs documentation (#9)', () => {
  it('fills documentation only when asked, for topics and this broker', async () => {
    const broker = await createTestBroker()
    await broker.topics.createTopic({ name: 't' })
    const withDocs = await describeOne(broker, ConfigResourceType.TOPIC, 't', true)
    assert.match(withDocs.get('retention.ms')?.documentation ?? '', /kept/)
    const own = await describeOne(broker, ConfigResourceType.BROKER, '1', true)
    assert.match(own.get('message.max.bytes')?.documentation ?? '', /max.message.bytes/)
    const without = await describeOne(broker, ConfigResourceType.BROKER, '1', false)
    assert.equal(without.get('message.max.bytes')?.documentation, null)
    await broker.close()
  })
})
