// #9: the rest of the Admin surface on one node, each answer as Kafka 4.4 gives it (the Java program in
// tests/compat/admin/ compares them with Kafka over the wire): features in ApiVersions and UpdateFeatures,
// ElectLeaders, partition reassignments, replica log dirs, client quotas, ACLs, authorized operations.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ErrorCode } from '../../protocol/index.js'
import { createTestBroker } from '../../testing/index.js'
import { createAcls, deleteAcls, describeAcls } from './acls.js'
import { alterReplicaLogDirs } from './alter-replica-log-dirs.js'
import { apiVersions } from './api-versions.js'
import { consumerGroupDescribe } from './consumer-group-describe.js'
import { consumerGroupHeartbeat } from './consumer-group-heartbeat.js'
import { alterClientQuotas, describeClientQuotas } from './client-quotas.js'
import {
  alterUserScramCredentials,
  createDelegationToken,
  describeDelegationToken,
  describeUserScramCredentials,
  expireDelegationToken,
  renewDelegationToken,
} from './delegation-tokens.js'
import { electLeaders } from './elect-leaders.js'
import { updateFeatures } from './features.js'
import { handlers } from './index.js'
import { leaveGroup } from './leave-group.js'
import { listOffsets } from './list-offsets.js'
import { metadata } from './metadata.js'
import { alterPartitionReassignments, listPartitionReassignments } from './partition-reassignments.js'
import { unregisterBroker } from './unregister-broker.js'
import { unregisterController } from './unregister-controller.js'

async function setup() {
  const broker = await createTestBroker({ config: { nodeId: 1 } })
  assert.equal((await broker.topics.createTopic({ name: 't', numPartitions: 2, configs: [] })).ok, true)
  return broker
}

test('#9 ApiVersions v3+ carries the supported and finalized features; v0-2 none', async () => {
  const broker = await setup()
  const v4 = await broker.call(apiVersions, 4, { clientSoftwareName: 'test', clientSoftwareVersion: '1' })
  assert.deepEqual(
    v4.supportedFeatures.map((f) => `${f.name}=${f.minVersion}..${f.maxVersion}`),
    ['metadata.version=33..33', 'group.version=1..1', 'transaction.version=2..2', 'share.version=2..2'],
  )
  assert.deepEqual(
    v4.finalizedFeatures.map((f) => `${f.name}=${f.minVersionLevel}..${f.maxVersionLevel}`),
    ['metadata.version=33..33', 'group.version=1..1', 'transaction.version=2..2', 'share.version=2..2'],
  )
  assert.equal(v4.finalizedFeaturesEpoch, 0)
  const v2 = await broker.call(apiVersions, 2, {})
  assert.deepEqual(v2.supportedFeatures, [])
  assert.equal(v2.finalizedFeaturesEpoch, -1)
  await broker.close()
})

test("#9 every API Brook serves is advertised up to Kafka 4.4's highest version (its clients send them unasked)", async () => {
  const max = (key: number) => handlers.find((handler) => handler.apiKey === key)?.versions.max
  // Kafka 4.4's ApiVersions answer on one node, for the APIs both serve (measured over a socket).
  const kafka44: [number, number][] = [
    [0, 13],
    [1, 18],
    [2, 11],
    [3, 13],
    [18, 5],
    [23, 4],
    [28, 6],
    [55, 2],
    [60, 2],
    [75, 0],
    [94, 0],
  ]
  for (const [key, version] of kafka44) assert.equal(max(key), version, `api ${key}`)
})

test('#9 UpdateFeatures: the level in force is a valid no-op; any other level or feature INVALID_UPDATE_VERSION', async () => {
  const broker = await setup()
  const same = await broker.call(updateFeatures, 2, {
    featureUpdates: [{ feature: 'metadata.version', maxVersionLevel: 33, upgradeType: 1 }],
    validateOnly: true,
  })
  assert.equal(same.errorCode, ErrorCode.NONE)
  for (const [name, level, type] of [
    ['metadata.version', 7, 2],
    ['group.version', 99, 1],
    ['no.such.feature', 1, 1],
    ['group.version', 0, 3],
  ] as const) {
    const answer = await broker.call(updateFeatures, 2, {
      featureUpdates: [{ feature: name, maxVersionLevel: level, upgradeType: type }],
    })
    assert.equal(answer.errorCode, ErrorCode.INVALID_UPDATE_VERSION, `${name} ${level}`)
    assert.match(answer.errorMessage ?? '', /^The update failed for all features since the following feature/)
  }
  const v1 = await broker.call(updateFeatures, 1, {
    featureUpdates: [
      { feature: 'group.version', maxVersionLevel: 1, upgradeType: 1 },
      { feature: 'share.version', maxVersionLevel: 1, upgradeType: 2 },
    ],
  })
  assert.deepEqual(
    v1.results.map((r) => [r.feature, r.errorCode]),
    [
      ['group.version', ErrorCode.NONE],
      ['share.version', ErrorCode.INVALID_UPDATE_VERSION],
    ],
  )
  const badType = await broker.call(updateFeatures, 2, {
    featureUpdates: [{ feature: 'group.version', maxVersionLevel: 1, upgradeType: 9 }],
  })
  assert.equal(badType.errorCode, ErrorCode.INVALID_REQUEST)
  await broker.close()
})

test('#9 ElectLeaders: ELECTION_NOT_NEEDED for every partition, unknown ones UNKNOWN_TOPIC_OR_PARTITION, all = none listed', async () => {
  const broker = await setup()
  for (const electionType of [0, 1]) {
    const answer = await broker.call(electLeaders, 2, {
      electionType,
      topicPartitions: [
        { topic: 't', partitions: [0, 1, 2] },
        { topic: 'missing', partitions: [0] },
      ],
    })
    assert.deepEqual(
      answer.replicaElectionResults.map((t) => [
        t.topic,
        t.partitionResult.map((p) => [p.partitionId, p.errorCode]),
      ]),
      [
        [
          't',
          [
            [0, ErrorCode.ELECTION_NOT_NEEDED],
            [1, ErrorCode.ELECTION_NOT_NEEDED],
            [2, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
          ],
        ],
        ['missing', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
      ],
    )
  }
  const all = await broker.call(electLeaders, 2, { electionType: 0, topicPartitions: null })
  assert.deepEqual([all.errorCode, all.replicaElectionResults], [ErrorCode.NONE, []])
  const v0 = await broker.call(electLeaders, 0, { topicPartitions: [{ topic: 't', partitions: [0] }] })
  assert.equal(v0.replicaElectionResults[0]?.partitionResult[0]?.errorCode, ErrorCode.ELECTION_NOT_NEEDED)
  const badType = await broker.call(electLeaders, 2, { electionType: 7, topicPartitions: null })
  assert.equal(badType.errorCode, ErrorCode.INVALID_REQUEST)
  await broker.close()
})

test('#9 partition reassignments: to this node is a no-op, another broker invalid, cancel finds none, list is empty', async () => {
  const broker = await setup()
  const answer = await broker.call(alterPartitionReassignments, 1, {
    topics: [
      {
        name: 't',
        partitions: [
          { partitionIndex: 0, replicas: [1] },
          { partitionIndex: 1, replicas: [2] },
          { partitionIndex: 1, replicas: null },
          { partitionIndex: 0, replicas: [] },
          { partitionIndex: 0, replicas: [1, 1] },
          { partitionIndex: 5, replicas: [1] },
        ],
      },
    ],
  })
  assert.deepEqual(
    answer.responses[0]?.partitions.map((p) => p.errorCode),
    [
      ErrorCode.NONE,
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ],
  )
  assert.equal(
    answer.responses[0]?.partitions[1]?.errorMessage,
    'The manual partition assignment includes broker 2, but no such broker is registered.',
  )
  const list = await broker.call(listPartitionReassignments, 0, { topics: null })
  assert.deepEqual([list.errorCode, list.topics], [ErrorCode.NONE, []])
  await broker.close()
})

test('#9 AlterReplicaLogDirs: the one log dir is a no-op, any other LOG_DIR_NOT_FOUND', async () => {
  const broker = await setup()
  const answer = await broker.call(alterReplicaLogDirs, 2, {
    dirs: [
      { path: '/data/logs', topics: [{ name: 't', partitions: [0] }] },
      { path: '/elsewhere', topics: [{ name: 't', partitions: [1] }] },
    ],
  })
  assert.deepEqual(
    answer.results.map((r) => [r.topicName, r.partitions[0]?.errorCode]),
    [
      ['t', ErrorCode.NONE],
      ['t', ErrorCode.LOG_DIR_NOT_FOUND],
    ],
  )
  await broker.close()
})

test('#9 client quotas: none exist; setting one is refused (not enforced), removing one is a no-op, bad input INVALID_REQUEST', async () => {
  const broker = await setup()
  const described = await broker.call(describeClientQuotas, 1, { components: [], strict: false })
  assert.deepEqual([described.errorCode, described.entries], [ErrorCode.NONE, []])
  const badFilter = await broker.call(describeClientQuotas, 1, {
    components: [{ entityType: 'group', matchType: 2, match: null }],
    strict: false,
  })
  assert.equal(badFilter.errorCode, ErrorCode.INVALID_REQUEST)
  const alice = [{ entityType: 'user', entityName: 'alice' }]
  const answer = await broker.call(alterClientQuotas, 1, {
    entries: [
      { entity: alice, ops: [{ key: 'producer_byte_rate', value: 1024, remove: false }] },
      { entity: alice, ops: [{ key: 'producer_byte_rate', value: 0, remove: true }] },
      { entity: alice, ops: [{ key: 'no_such_quota', value: 1, remove: false }] },
      { entity: [{ entityType: 'ip', entityName: null }, ...alice], ops: [] },
    ],
    validateOnly: false,
  })
  assert.deepEqual(
    answer.entries.map((e) => e.errorCode),
    [ErrorCode.UNSUPPORTED_VERSION, ErrorCode.NONE, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST],
  )
  assert.match(answer.entries[0]?.errorMessage ?? '', /does not enforce client quotas/)
  const after = await broker.call(describeClientQuotas, 1, { components: [], strict: false })
  assert.deepEqual(after.entries, [])
  await broker.close()
})

test('#9 ACLs: SECURITY_DISABLED with Kafka messages, as a Kafka broker without an authorizer', async () => {
  const broker = await setup()
  const filter = {
    resourceTypeFilter: 1,
    resourceNameFilter: null,
    patternTypeFilter: 1,
    principalFilter: null,
    hostFilter: null,
    operation: 1,
    permissionType: 1,
  }
  const described = await broker.call(describeAcls, 3, filter)
  assert.deepEqual(
    [described.errorCode, described.errorMessage, described.resources],
    [ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker', []],
  )
  const creation = {
    resourceType: 2,
    resourceName: 't',
    resourcePatternType: 3,
    principal: 'User:alice',
    host: '*',
    operation: 3,
    permissionType: 3,
  }
  const created = await broker.call(createAcls, 1, { creations: [creation, creation] })
  assert.deepEqual(
    created.results.map((r) => r.errorCode),
    [ErrorCode.SECURITY_DISABLED, ErrorCode.SECURITY_DISABLED],
  )
  const deleted = await broker.call(deleteAcls, 2, { filters: [filter] })
  assert.deepEqual(
    deleted.filterResults.map((r) => [r.errorCode, r.errorMessage, r.matchingAcls.length]),
    [[ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured.', 0]],
  )
  await broker.close()
})

test('#9 Metadata: topic authorized operations when asked (all a topic has), the v13 error code NONE', async () => {
  const broker = await setup()
  const asked = await broker.call(metadata, 13, {
    topics: null,
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: true,
  })
  // READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS: bits 3-8, 10, 11.
  assert.equal(
    asked.topics[0]?.topicAuthorizedOperations,
    (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11),
  )
  assert.equal(asked.errorCode, ErrorCode.NONE)
  const plain = await broker.call(metadata, 12, {
    topics: null,
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
  })
  assert.equal(plain.topics[0]?.topicAuthorizedOperations, -2147483648)
  await broker.close()
})

test('#9 LeaveGroup against a KIP-848 group removes the members (Admin.removeMembersFromConsumerGroup); it was UNKNOWN_MEMBER_ID', async () => {
  const broker = await setup()
  const join = (memberId: string, instanceId: string | null) =>
    broker.call(consumerGroupHeartbeat, 1, {
      groupId: 'g848',
      memberId,
      memberEpoch: 0,
      instanceId,
      rackId: null,
      rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: ['t'],
      subscribedTopicRegex: null,
      serverAssignor: null,
      topicPartitions: [],
    })
  assert.equal((await join('member-a', null)).errorCode, ErrorCode.NONE)
  assert.equal((await join('member-b', 'static-b')).errorCode, ErrorCode.NONE)
  const answer = await broker.call(leaveGroup, 5, {
    groupId: 'g848',
    members: [
      { memberId: 'member-a', groupInstanceId: null, reason: 'admin' },
      { memberId: 'other-id', groupInstanceId: 'static-b', reason: 'admin' },
      { memberId: '', groupInstanceId: 'static-b', reason: 'admin' },
      { memberId: 'member-x', groupInstanceId: null, reason: 'admin' },
    ],
  })
  assert.deepEqual(
    [answer.errorCode, ...answer.members.map((m) => m.errorCode)],
    [
      ErrorCode.NONE,
      ErrorCode.NONE,
      ErrorCode.FENCED_INSTANCE_ID,
      ErrorCode.NONE,
      ErrorCode.UNKNOWN_MEMBER_ID,
    ],
  )
  const described = await broker.call(consumerGroupDescribe, 1, {
    groupIds: ['g848'],
    includeAuthorizedOperations: true,
  })
  assert.deepEqual([described.groups[0]?.groupState, described.groups[0]?.members.length], ['Empty', 0])
  // READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS as Kafka 4.4 reports a group's operations.
  assert.equal(
    described.groups[0]?.authorizedOperations,
    (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11),
  )
  await broker.close()
})

test('#9 delegation tokens: DELEGATION_TOKEN_REQUEST_NOT_ALLOWED, as Kafka on a PLAINTEXT channel', async () => {
  const broker = await setup()
  const created = await broker.call(createDelegationToken, 3, { renewers: [], maxLifetimeMs: -1 })
  assert.equal(created.errorCode, ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED)
  const hmac = Buffer.from([1, 2, 3])
  const renewed = await broker.call(renewDelegationToken, 2, { hmac, renewPeriodMs: 1000 })
  const expired = await broker.call(expireDelegationToken, 1, { hmac, expiryTimePeriodMs: 1000 })
  const described = await broker.call(describeDelegationToken, 3, { owners: null })
  assert.deepEqual(
    [renewed.errorCode, expired.errorCode, described.errorCode, described.tokens],
    [
      ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED,
      ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED,
      ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED,
      [],
    ],
  )
  await broker.close()
})

test('#9 SCRAM credentials: none exist; storing one is refused (no SASL); UnregisterBroker of another id', async () => {
  const broker = await setup()
  const all = await broker.call(describeUserScramCredentials, 0, { users: null })
  assert.deepEqual([all.errorCode, all.results], [ErrorCode.NONE, []])
  const named = await broker.call(describeUserScramCredentials, 0, { users: [{ name: 'alice' }] })
  assert.equal(named.results[0]?.errorCode, ErrorCode.RESOURCE_NOT_FOUND)
  const altered = await broker.call(alterUserScramCredentials, 0, {
    deletions: [{ name: 'bob', mechanism: 1 }],
    upsertions: [
      {
        name: 'alice',
        mechanism: 1,
        iterations: 4096,
        salt: Buffer.from('s'),
        saltedPassword: Buffer.from('p'),
      },
    ],
  })
  assert.deepEqual(
    altered.results.map((r) => [r.user, r.errorCode]),
    [
      ['bob', ErrorCode.RESOURCE_NOT_FOUND],
      ['alice', ErrorCode.UNSUPPORTED_SASL_MECHANISM],
    ],
  )
  const other = await broker.call(unregisterBroker, 0, { brokerId: 2 })
  assert.deepEqual(
    [other.errorCode, other.errorMessage],
    [ErrorCode.BROKER_ID_NOT_REGISTERED, 'Broker ID 2 is not currently registered'],
  )
  assert.equal((await broker.call(unregisterBroker, 0, { brokerId: 1 })).errorCode, ErrorCode.INVALID_REQUEST)
  // UnregisterController (Kafka 4.4): Kafka's answer and message for another id (over a socket).
  const otherController = await broker.call(unregisterController, 0, { controllerId: 2 })
  assert.deepEqual(
    [otherController.errorCode, otherController.errorMessage],
    [ErrorCode.CONTROLLER_ID_NOT_REGISTERED, 'Controller ID 2 is not currently registered.'],
  )
  assert.equal(
    (await broker.call(unregisterController, 0, { controllerId: 1 })).errorCode,
    ErrorCode.INVALID_REQUEST,
  )
  await broker.close()
})

test('#9 ListOffsets v10-11: EARLIEST_PENDING_UPLOAD (-6) answers offset -1 as Kafka 4.4 without tiered storage', async () => {
  const broker = await setup()
  for (const version of [10, 11]) {
    const answer = await broker.call(listOffsets, version, {
      replicaId: -1,
      isolationLevel: 0,
      timeoutMs: 1000,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -6 },
            { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2 },
          ],
        },
      ],
    })
    assert.deepEqual(
      answer.topics[0]?.partitions.map((p) => [p.errorCode, p.offset, p.leaderEpoch]),
      [
        [ErrorCode.NONE, -1, -1],
        [ErrorCode.NONE, 0, 0],
      ],
    )
  }
  await broker.close()
})
