// Group answers stay bounded and encodable whatever ids a client sends (#7): a group named many times in
// one DescribeGroups is described once, and error messages quote at most part of a 32767-byte id.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorCode } from '../../protocol/index.js'
import { createTestBroker } from '../../testing/index.js'
import { consumerGroupDescribe } from './consumer-group-describe.js'
import { consumerGroupHeartbeat } from './consumer-group-heartbeat.js'
import { describeGroups } from './describe-groups.js'

describe('group answers under hostile ids (#7)', () => {
  it('#7 DescribeGroups and ConsumerGroupDescribe describe a repeated group once', async () => {
    const broker = await createTestBroker()
    const groups = broker.context.groups
    let classicCalls = 0
    let consumerCalls = 0
    const describeGroup = groups.describeGroup.bind(groups)
    const describeConsumerGroup = groups.describeConsumerGroup.bind(groups)
    groups.describeGroup = (groupId) => {
      classicCalls++
      return describeGroup(groupId)
    }
    groups.describeConsumerGroup = (groupId) => {
      consumerCalls++
      return describeConsumerGroup(groupId)
    }
    const copies = Array.from({ length: 1000 }, () => 'g')
    const classic = await broker.call(describeGroups, 5, {
      groups: [...copies, 'h'],
      includeAuthorizedOperations: false,
    })
    assert.equal(classic.groups.length, 1001)
    assert.equal(classicCalls, 2)
    const consumer = await broker.call(consumerGroupDescribe, 0, {
      groupIds: [...copies, 'h'],
      includeAuthorizedOperations: false,
    })
    assert.equal(consumer.groups.length, 1001)
    assert.equal(consumerCalls, 2)
    await broker.close()
  })

  it('#7 error messages quoting a 32767-byte group or member id stay encodable', async () => {
    const broker = await createTestBroker()
    const longId = 'x'.repeat(32767)
    const unknownGroup = await broker.call(consumerGroupHeartbeat, 1, {
      groupId: longId,
      memberId: longId,
      memberEpoch: 5,
      topicPartitions: null,
    })
    assert.equal(unknownGroup.errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
    assert.ok((unknownGroup.errorMessage ?? '').length < 300)
    const described = await broker.call(consumerGroupDescribe, 0, {
      groupIds: [longId],
      includeAuthorizedOperations: false,
    })
    assert.equal(described.groups[0].errorCode, ErrorCode.GROUP_ID_NOT_FOUND)
    assert.ok((described.groups[0].errorMessage ?? '').length < 300)
    const classic = await broker.call(describeGroups, 6, {
      groups: [longId],
      includeAuthorizedOperations: false,
    })
    assert.equal(classic.groups[0].errorCode, ErrorCode.GROUP_ID_NOT_FOUND)
    assert.ok((classic.groups[0].errorMessage ?? '').length < 300)
    await broker.close()
  })
})
