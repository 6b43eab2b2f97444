import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import { ConfigError, type FileSystem } from '../core/index.js'
import { SimFileSystem } from '../testing/index.js'
import { BrokerConfig } from './broker-configs.js'
import { ConfigSource } from './config-definition.js'
import { isKafkaUuidText, type RandomBytes } from './kafka-uuid.js'
import { META_PROPERTIES_FILE } from './meta-properties.js'
import { MetadataErrorCode } from './metadata-error-code.js'
import { AlterConfigOp } from './topic-configs.js'
import {
  METADATA_STATE_DIR,
  type RegistryResult,
  type TopicChange,
  TopicRegistry,
  type TopicRegistryOptions,
} from './topic-registry.js'

const DIR = '/data/__metadata'

/** A deterministic random source: the same sequence of draws in every run. */
function seededBytes(seed: string): RandomBytes {
  let counter = 0
  return (length) => createHash('sha256').update(`${seed}:${counter++}`).digest().subarray(0, length)
}

function open(fileSystem: FileSystem, options: Partial<TopicRegistryOptions> = {}): Promise<TopicRegistry> {
  return TopicRegistry.open({ fileSystem, dir: DIR, randomBytes: seededBytes('default'), ...options })
}

function expectError(result: RegistryResult, errorCode: number, message?: RegExp): void {
  assert.equal(result.ok, false, 'expected a failure')
  if (result.ok) return
  assert.equal(result.errorCode, errorCode, result.errorMessage)
  if (message !== undefined) assert.match(result.errorMessage, message)
}

function state(registry: TopicRegistry): string {
  return JSON.stringify(registry.topics())
}

describe('TopicRegistry.createTopic', () => {
  it('creates a topic with a fresh id, defaults and validated configs', async () => {
    const registry = await open(new SimFileSystem())
    const result = await registry.createTopic({
      name: 'orders',
      numPartitions: 3,
      replicationFactor: 1,
      configs: [{ name: 'retention.ms', value: ' 60000 ' }],
    })
    assert.ok(result.ok)
    assert.equal(result.topic.name, 'orders')
    assert.equal(result.topic.partitionCount, 3)
    assert.equal(result.topic.replicationFactor, 1)
    assert.deepEqual(result.topic.configs, { 'retention.ms': '60000' })
    assert.ok(isKafkaUuidText(result.topic.topicId))
    assert.notEqual(result.topic.topicId, 'AAAAAAAAAAAAAAAAAAAAAA')
    assert.equal(registry.topic('orders'), result.topic)
    assert.equal(registry.topicById(result.topic.topicId), result.topic)
    const defaulted = await registry.createTopic({ name: 'auto' })
    assert.ok(defaulted.ok)
    assert.equal(defaulted.topic.partitionCount, 1)
    assert.notEqual(defaulted.topic.topicId, result.topic.topicId)
    assert.deepEqual(
      registry.topics().map((topic) => topic.name),
      ['auto', 'orders'],
    )
  })

  it('uses num.partitions from the broker config for -1', async () => {
    const registry = await open(new SimFileSystem(), {
      brokerConfig: new BrokerConfig({ 'num.partitions': '4' }),
    })
    const result = await registry.createTopic({ name: 't', numPartitions: -1, replicationFactor: -1 })
    assert.ok(result.ok)
    assert.equal(result.topic.partitionCount, 4)
  })

  it('refuses illegal names with INVALID_TOPIC_EXCEPTION', async () => {
    const registry = await open(new SimFileSystem())
    for (const name of ['', '.', '..', 'a'.repeat(250), 'has space', 'slash/no', 'ünï', 'colon:no']) {
      expectError(await registry.createTopic({ name }), MetadataErrorCode.INVALID_TOPIC_EXCEPTION)
    }
    for (const name of ['a'.repeat(249), 'a.b-c_D9', '...', '__internal']) {
      assert.ok((await registry.createTopic({ name })).ok, name)
    }
  })

  it('refuses an existing name and a name that collides by . versus _', async () => {
    const registry = await open(new SimFileSystem())
    assert.ok((await registry.createTopic({ name: 'a.b' })).ok)
    expectError(
      await registry.createTopic({ name: 'a.b' }),
      MetadataErrorCode.TOPIC_ALREADY_EXISTS,
      /already exists/,
    )
    expectError(
      await registry.createTopic({ name: 'a_b' }),
      MetadataErrorCode.INVALID_TOPIC_EXCEPTION,
      /collides/,
    )
  })

  it('refuses bad partition counts and replication factors', async () => {
    const registry = await open(new SimFileSystem())
    for (const numPartitions of [0, -2, 1.5]) {
      expectError(
        await registry.createTopic({ name: 't', numPartitions }),
        MetadataErrorCode.INVALID_PARTITIONS,
      )
    }
    for (const replicationFactor of [0, -2, 2, 3]) {
      expectError(
        await registry.createTopic({ name: 't', replicationFactor }),
        MetadataErrorCode.INVALID_REPLICATION_FACTOR,
      )
    }
    assert.equal(registry.size, 0)
  })

  it('refuses bad configs with INVALID_CONFIG and creates nothing', async () => {
    const registry = await open(new SimFileSystem())
    const cases = [
      [{ name: 'nope', value: '1' }],
      [{ name: 'retention.ms', value: 'x' }],
      [{ name: 'retention.ms', value: null }],
      [{ name: 'remote.storage.enable', value: 'true' }],
      [
        { name: 'min.compaction.lag.ms', value: '100' },
        { name: 'max.compaction.lag.ms', value: '10' },
      ],
    ]
    for (const configs of cases) {
      expectError(await registry.createTopic({ name: 't', configs }), MetadataErrorCode.INVALID_CONFIG)
    }
    assert.equal(registry.size, 0)
  })

  it('with validateOnly checks but does not create', async () => {
    const fileSystem = new SimFileSystem()
    const registry = await open(fileSystem)
    const result = await registry.createTopic({ name: 't', numPartitions: 2 }, { validateOnly: true })
    assert.ok(result.ok)
    assert.equal(result.topic.partitionCount, 2)
    assert.equal(registry.topic('t'), undefined)
    await registry.close()
    assert.equal((await open(fileSystem)).size, 0)
  })

  it('serializes concurrent creates of one name: one wins', async () => {
    const registry = await open(new SimFileSystem())
    const results = await Promise.all([1, 2, 3].map(() => registry.createTopic({ name: 'race' })))
    assert.equal(results.filter((result) => result.ok).length, 1)
    assert.equal(
      results.filter((r) => !r.ok && r.errorCode === MetadataErrorCode.TOPIC_ALREADY_EXISTS).length,
      2,
    )
  })
})

describe('TopicRegistry changes', () => {
  it('deletes by name and by id', async () => {
    const registry = await open(new SimFileSystem())
    const a = await registry.createTopic({ name: 'a' })
    const b = await registry.createTopic({ name: 'b' })
    assert.ok(a.ok && b.ok)
    const deleted = await registry.deleteTopic('a')
    assert.ok(deleted.ok)
    assert.equal(deleted.topic.topicId, a.topic.topicId)
    assert.equal(registry.topic('a'), undefined)
    assert.equal(registry.topicById(a.topic.topicId), undefined)
    expectError(await registry.deleteTopic('a'), MetadataErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    assert.ok((await registry.deleteTopicById(b.topic.topicId)).ok)
    expectError(await registry.deleteTopicById(b.topic.topicId), MetadataErrorCode.UNKNOWN_TOPIC_ID)
    // A deleted name is free again (and no longer collides), under a new id.
    const again = await registry.createTopic({ name: 'a' })
    assert.ok(again.ok)
    assert.notEqual(again.topic.topicId, a.topic.topicId)
  })

  it('only grows partitions', async () => {
    const registry = await open(new SimFileSystem())
    await registry.createTopic({ name: 't', numPartitions: 3 })
    expectError(
      await registry.createPartitions('t', 2),
      MetadataErrorCode.INVALID_PARTITIONS,
      /higher than the requested 2/,
    )
    expectError(
      await registry.createPartitions('t', 3),
      MetadataErrorCode.INVALID_PARTITIONS,
      /already has 3/,
    )
    expectError(await registry.createPartitions('missing', 5), MetadataErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    const checked = await registry.createPartitions('t', 5, { validateOnly: true })
    assert.ok(checked.ok)
    assert.equal(registry.topic('t')!.partitionCount, 3)
    const grown = await registry.createPartitions('t', 5)
    assert.ok(grown.ok)
    assert.equal(grown.topic.partitionCount, 5)
    assert.equal(registry.topic('t')!.partitionCount, 5)
  })

  it('replaces configs with alterConfigs and edits them incrementally', async () => {
    const registry = await open(new SimFileSystem())
    await registry.createTopic({ name: 't', configs: [{ name: 'retention.ms', value: '1000' }] })
    const replaced = await registry.alterConfigs('t', [{ name: 'segment.ms', value: '5000' }])
    assert.ok(replaced.ok)
    assert.deepEqual(registry.topic('t')!.configs, { 'segment.ms': '5000' })
    expectError(
      await registry.alterConfigs('t', [{ name: 'segment.ms', value: '0' }]),
      MetadataErrorCode.INVALID_CONFIG,
    )
    expectError(await registry.alterConfigs('missing', []), MetadataErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    const edited = await registry.incrementalAlterConfigs('t', [
      { name: 'segment.ms', op: AlterConfigOp.DELETE, value: null },
      { name: 'cleanup.policy', op: AlterConfigOp.APPEND, value: 'compact' },
      { name: 'max.message.bytes', op: AlterConfigOp.SET, value: '2048' },
    ])
    assert.ok(edited.ok)
    assert.deepEqual(registry.topic('t')!.configs, {
      'cleanup.policy': 'delete,compact',
      'max.message.bytes': '2048',
    })
    expectError(
      await registry.incrementalAlterConfigs('t', [
        { name: 'max.message.bytes', op: AlterConfigOp.APPEND, value: '1' },
      ]),
      MetadataErrorCode.INVALID_CONFIG,
    )
    expectError(
      await registry.incrementalAlterConfigs('t', [
        { name: 'remote.storage.enable', op: AlterConfigOp.SET, value: 'true' },
      ]),
      MetadataErrorCode.INVALID_CONFIG,
    )
    const dry = await registry.incrementalAlterConfigs(
      't',
      [{ name: 'retention.ms', op: AlterConfigOp.SET, value: '1' }],
      {
        validateOnly: true,
      },
    )
    assert.ok(dry.ok)
    assert.equal(dry.topic.configs['retention.ms'], '1')
    assert.equal(registry.topic('t')!.configs['retention.ms'], undefined)
  })

  it('reports effective configs with sources', async () => {
    const registry = await open(new SimFileSystem(), {
      brokerConfig: new BrokerConfig({ 'log.retention.hours': '24' }),
    })
    await registry.createTopic({ name: 't', configs: [{ name: 'segment.bytes', value: '2097152' }] })
    const effective = registry.effectiveConfig('t')!
    assert.equal(effective.get('segment.bytes')!.source, ConfigSource.DYNAMIC_TOPIC_CONFIG)
    assert.equal(effective.get('retention.ms')!.source, ConfigSource.STATIC_BROKER_CONFIG)
    assert.equal(effective.get('retention.ms')!.value, '86400000')
    assert.equal(effective.get('max.message.bytes')!.source, ConfigSource.DEFAULT_CONFIG)
    assert.equal(registry.logSettings('t')!.segmentBytes, 2097152)
    assert.equal(registry.effectiveConfig('missing'), undefined)
  })

  it('tells listeners about applied changes only', async () => {
    const registry = await open(new SimFileSystem())
    const changes: TopicChange[] = []
    const unsubscribe = registry.subscribe((change) => changes.push(change))
    await registry.createTopic({ name: 't', numPartitions: 1 })
    await registry.createTopic({ name: 't' })
    await registry.createPartitions('t', 2)
    await registry.incrementalAlterConfigs('t', [{ name: 'retention.ms', op: AlterConfigOp.SET, value: '5' }])
    await registry.createTopic({ name: 'u' }, { validateOnly: true })
    await registry.deleteTopic('t')
    unsubscribe()
    await registry.createTopic({ name: 'v' })
    assert.deepEqual(
      changes.map((change) => change.type),
      ['created', 'partitions-added', 'configs-changed', 'deleted'],
    )
    const added = changes[1]
    assert.ok(
      added.type === 'partitions-added' &&
        added.previousPartitionCount === 1 &&
        added.topic.partitionCount === 2,
    )
  })
})

describe('TopicRegistry persistence', () => {
  it('recovers topics, ids, configs and the cluster id after a clean reopen', async () => {
    const fileSystem = new SimFileSystem()
    const first = await open(fileSystem)
    assert.ok(isKafkaUuidText(first.clusterId))
    assert.equal(first.nodeId, 1)
    await first.createTopic({
      name: 'a',
      numPartitions: 2,
      configs: [{ name: 'cleanup.policy', value: 'compact' }],
    })
    await first.createTopic({ name: 'b' })
    await first.createTopic({ name: 'c' })
    await first.createPartitions('a', 6)
    await first.incrementalAlterConfigs('b', [{ name: 'retention.ms', op: AlterConfigOp.SET, value: '1234' }])
    await first.deleteTopic('c')
    const before = state(first)
    await first.close()
    const second = await open(fileSystem)
    assert.equal(state(second), before)
    assert.equal(second.clusterId, first.clusterId)
    assert.equal(second.topic('c'), undefined)
    assert.equal(second.topicById(first.topic('a')!.topicId)?.name, 'a')
    // Changes after the reopen land too.
    await second.createTopic({ name: 'c' })
    await second.close()
    assert.deepEqual(
      (await open(fileSystem)).topics().map((topic) => topic.name),
      ['a', 'b', 'c'],
    )
  })

  it('survives a crash: every acknowledged change is kept', async () => {
    let fileSystem = new SimFileSystem({ seed: 7 })
    const registry = await open(fileSystem)
    await registry.createTopic({ name: 'kept', numPartitions: 3 })
    await registry.deleteTopic('kept')
    await registry.createTopic({ name: 'kept2', configs: [{ name: 'retention.ms', value: '99' }] })
    const before = state(registry)
    fileSystem = fileSystem.crash()
    const recovered = await open(fileSystem)
    assert.equal(state(recovered), before)
    assert.equal(recovered.clusterId, registry.clusterId)
  })

  it('compacts into a snapshot and replays it', async () => {
    const fileSystem = new SimFileSystem()
    const registry = await open(fileSystem, { compactAfterBytes: 400 })
    for (let i = 0; i < 30; i++) {
      await registry.createTopic({ name: `t${i}`, numPartitions: 1 + (i % 4) })
      if (i % 3 === 0) await registry.deleteTopic(`t${i}`)
    }
    const before = state(registry)
    await registry.close()
    const names = await fileSystem.list(`${DIR}/${METADATA_STATE_DIR}`)
    assert.ok(
      names.some((name) => name.endsWith('.snapshot')),
      `a snapshot was written: ${names.join(' ')}`,
    )
    const logs = names.filter((name) => name.endsWith('.log'))
    assert.equal(logs.length, 1, 'log files before the snapshot are gone')
    const handle = await fileSystem.open(`${DIR}/${METADATA_STATE_DIR}/${logs[0]}`)
    assert.ok((await handle.size()) < 400, 'the log after the snapshot is small')
    await handle.close()
    assert.equal(state(await open(fileSystem, { compactAfterBytes: 400 })), before)
  })

  it('cuts a torn tail and keeps appending after it', async () => {
    const fileSystem = new SimFileSystem()
    const registry = await open(fileSystem)
    await registry.createTopic({ name: 'a' })
    const before = state(registry)
    await registry.close()
    const logs = (await fileSystem.list(`${DIR}/${METADATA_STATE_DIR}`)).filter((name) =>
      name.endsWith('.log'),
    )
    const handle = await fileSystem.open(`${DIR}/${METADATA_STATE_DIR}/${logs.at(-1)}`)
    const size = await handle.size()
    // Half a frame: a length and CRC, then too few bytes.
    await handle.write(size, [Buffer.from([0, 0, 0, 50, 1, 2, 3, 4, 0x7b, 0x22])])
    await handle.sync()
    await handle.close()
    const reopened = await open(fileSystem)
    assert.equal(state(reopened), before)
    await reopened.createTopic({ name: 'b' })
    await reopened.close()
    assert.deepEqual(
      (await open(fileSystem)).topics().map((topic) => topic.name),
      ['a', 'b'],
    )
  })

  it('keeps meta.properties and refuses a directory of another node', async () => {
    const fileSystem = new SimFileSystem()
    const registry = await open(fileSystem)
    await registry.close()
    const text = (await fileSystem.readFile(`${DIR}/${META_PROPERTIES_FILE}`)).toString('utf8')
    assert.match(text, new RegExp(`cluster\\.id=${registry.clusterId.replace(/[-]/g, '\\-')}`))
    assert.match(text, /node\.id=1/)
    await assert.rejects(open(fileSystem, { nodeId: 2 }), ConfigError)
  })

  it('reaches, after a crash at any point, the state after the acknowledged changes (or one more)', async () => {
    type Op = (registry: TopicRegistry) => Promise<RegistryResult>
    const ops: Op[] = [
      (r) => r.createTopic({ name: 'a', numPartitions: 2 }),
      (r) => r.createTopic({ name: 'b', configs: [{ name: 'cleanup.policy', value: 'compact' }] }),
      (r) => r.incrementalAlterConfigs('a', [{ name: 'retention.ms', op: AlterConfigOp.SET, value: '10' }]),
      (r) => r.createPartitions('a', 4),
      (r) => r.deleteTopic('b'),
      (r) => r.createTopic({ name: 'c', numPartitions: 3 }),
      (r) => r.alterConfigs('c', [{ name: 'segment.ms', value: '100' }]),
      (r) => r.createTopic({ name: 'b' }),
      (r) => r.deleteTopic('a'),
      (r) => r.createPartitions('c', 8),
      (r) => r.createTopic({ name: 'd' }),
    ]
    const options = { compactAfterBytes: 350 }
    // The states a clean run passes through, with the same random draws as every crash run.
    const expected: string[] = []
    {
      const registry = await open(new SimFileSystem(), { ...options, randomBytes: seededBytes('ids') })
      expected.push(state(registry))
      for (const op of ops) {
        assert.ok((await op(registry)).ok)
        expected.push(state(registry))
      }
    }
    let crashesMidChange = 0
    for (let ticks = 0; ticks < 260; ticks += 2) {
      for (const keepRandomPrefix of [false, true]) {
        const fileSystem = new SimFileSystem({ seed: ticks + 1 })
        const registry = await open(fileSystem, { ...options, randomBytes: seededBytes('ids') })
        let acknowledged = 0
        const workload = (async () => {
          for (const op of ops) {
            assert.ok((await op(registry)).ok)
            acknowledged++
          }
        })().catch(() => undefined)
        for (let i = 0; i < ticks; i++) await Promise.resolve()
        const afterCrash = fileSystem.crash({ keepRandomPrefix })
        const acknowledgedAtCrash = acknowledged
        await workload
        const recovered = await open(afterCrash, options)
        const recoveredState = state(recovered)
        const allowed = expected.slice(acknowledgedAtCrash, acknowledgedAtCrash + 2)
        assert.ok(
          allowed.includes(recoveredState),
          `ticks ${ticks}: ${acknowledgedAtCrash} acknowledged, recovered ${recoveredState}`,
        )
        if (acknowledgedAtCrash < ops.length) crashesMidChange++
        // The recovered registry keeps working.
        assert.ok((await recovered.createTopic({ name: 'after-crash' })).ok)
        await recovered.close()
      }
    }
    assert.ok(crashesMidChange > 20, `crashes landed mid-workload ${crashesMidChange} times`)
  })
})

describe('partition bounds (#7)', () => {
  it('#7 refuses a topic of 2^31-1 partitions and growth to 100,000 with POLICY_VIOLATION, logging nothing', async () => {
    const fileSystem = new SimFileSystem()
    const registry = await open(fileSystem)
    const created: TopicChange[] = []
    registry.subscribe((change) => created.push(change))
    const huge = await registry.createTopic({ name: 'huge', numPartitions: 2147483647 })
    assert.equal(huge.ok, false)
    assert.equal(!huge.ok && huge.errorCode, MetadataErrorCode.POLICY_VIOLATION)
    assert.ok((await registry.createTopic({ name: 'small', numPartitions: 2 })).ok)
    const grown = await registry.createPartitions('small', 100000)
    assert.equal(!grown.ok && grown.errorCode, MetadataErrorCode.POLICY_VIOLATION)
    assert.equal(registry.topic('small')?.partitionCount, 2)
    assert.equal(registry.topic('huge'), undefined)
    assert.deepEqual(
      created.map((c) => c.type),
      ['created'],
    )
    assert.equal(registry.partitionCount, 2)
    await registry.close()
  })

  it("#7 bounds the partitions of all topics together, freeing a deleted topic's share", async () => {
    const registry = await open(new SimFileSystem(), { partitionsMax: 10, partitionsPerRequestMax: 6 })
    assert.ok((await registry.createTopic({ name: 'a', numPartitions: 6 })).ok)
    const perRequest = await registry.createTopic({ name: 'b', numPartitions: 7 })
    assert.equal(!perRequest.ok && perRequest.errorCode, MetadataErrorCode.POLICY_VIOLATION)
    const total = await registry.createTopic({ name: 'b', numPartitions: 5 })
    assert.equal(!total.ok && total.errorCode, MetadataErrorCode.POLICY_VIOLATION)
    assert.ok((await registry.createTopic({ name: 'b', numPartitions: 4 })).ok)
    const grown = await registry.createPartitions('b', 5)
    assert.equal(!grown.ok && grown.errorCode, MetadataErrorCode.POLICY_VIOLATION)
    assert.ok((await registry.deleteTopic('a')).ok)
    assert.equal(registry.partitionCount, 4)
    assert.ok((await registry.createPartitions('b', 10)).ok)
    await registry.close()
  })
})

describe('TopicRegistry dynamic broker configs (#9)', () => {
  it('logs them, snapshots them with the topics and replays them', async () => {
    const fileSystem = new SimFileSystem()
    const registry = await open(fileSystem, { compactAfterBytes: 300, brokerConfig: new BrokerConfig() })
    const changes: TopicChange[] = []
    registry.subscribe((change) => changes.push(change))
    let brokerChanges = 0
    registry.subscribeBrokerConfigs(() => brokerChanges++)
    await registry.createTopic({ name: 'a' })
    const set = (name: string, value: string) => ({ name, op: AlterConfigOp.SET, value })
    // Enough changes to pass the snapshot threshold several times.
    for (let i = 0; i < 20; i++) {
      const result = await registry.incrementalAlterBrokerConfigs('broker', [
        set('log.retention.ms', String(1000 + i)),
      ])
      assert.ok(result.ok)
    }
    assert.ok(
      (await registry.incrementalAlterBrokerConfigs('cluster-default', [set('log.segment.bytes', '2097152')]))
        .ok,
    )
    assert.equal(brokerChanges, 21)
    assert.equal(changes.filter((c) => c.type === 'configs-changed' && c.topic.name === 'a').length, 21)
    await registry.close()
    const files = await fileSystem.list(`${DIR}/${METADATA_STATE_DIR}`)
    assert.ok(
      files.some((f) => f.includes('snapshot')),
      files.join(','),
    )

    const reopened = await open(fileSystem, { brokerConfig: new BrokerConfig() })
    assert.deepEqual(reopened.brokerConfig.dynamicConfigs('broker'), { 'log.retention.ms': '1019' })
    assert.equal(reopened.effectiveConfig('a')?.get('retention.ms')?.value, '1019')
    assert.equal(reopened.effectiveConfig('a')?.get('segment.bytes')?.value, '2097152')
    await reopened.close()
  })
})
