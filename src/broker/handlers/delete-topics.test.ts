// DeleteTopics handler against a real TopicRegistry: by name (v0-5 and v6) and by id (v6), with Kafka's
// per-topic errors.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ZERO_UUID } from '../../metadata/index.js'
import { ErrorCode } from '../../protocol/index.js'
import { deleteTopics } from './delete-topics.js'
import { createTestBroker } from '../../testing/index.js'

const NODE_ID = 1

function setup(staticConfig: Record<string, string> = {}) {
  return createTestBroker({ config: { nodeId: NODE_ID, topicDefaults: staticConfig } })
}

describe('DeleteTopics', () => {
  it('deletes by name on v1 and reports unknown names', async () => {
    const { topics, call } = await setup()
    await topics.createTopic({ name: 'gone' })
    await topics.createTopic({ name: 'kept' })
    const response = await call(deleteTopics, 1, { topicNames: ['gone', 'missing'], timeoutMs: 1000 })
    assert.deepEqual(
      response.responses.map((r) => [r.name, r.errorCode]),
      [
        ['gone', ErrorCode.NONE],
        ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ],
    )
    assert.equal(topics.topic('gone'), undefined)
    assert.ok(topics.topic('kept'))
  })

  it('v5 carries error messages', async () => {
    const { call } = await setup()
    const response = await call(deleteTopics, 5, { topicNames: ['missing'], timeoutMs: 1000 })
    assert.equal(response.responses[0].errorMessage, 'This server does not host this topic-partition.')
  })

  it('deletes by id on v6, answering name and id', async () => {
    const { topics, call } = await setup()
    const created = await topics.createTopic({ name: 'by-id' })
    assert.ok(created.ok)
    const response = await call(deleteTopics, 6, {
      topics: [
        { name: null, topicId: created.topic.topicId },
        { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' },
      ],
      timeoutMs: 1000,
    })
    assert.deepEqual(response.responses[0], {
      name: 'by-id',
      topicId: created.topic.topicId,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
    })
    assert.equal(response.responses[1].errorCode, ErrorCode.UNKNOWN_TOPIC_ID)
    assert.equal(response.responses[1].name, null)
    assert.equal(topics.size, 0)
  })

  it('deletes by name on v6 (name with a zero id, as @platformatic/kafka sends)', async () => {
    const { topics, call } = await setup()
    const created = await topics.createTopic({ name: 'named' })
    assert.ok(created.ok)
    const response = await call(deleteTopics, 6, {
      topics: [{ name: 'named', topicId: ZERO_UUID }],
      timeoutMs: 1000,
    })
    assert.equal(response.responses[0].errorCode, ErrorCode.NONE)
    assert.equal(response.responses[0].topicId, created.topic.topicId)
    assert.equal(topics.size, 0)
  })

  it('refuses duplicates, both name and id, and neither, without deleting', async () => {
    const { topics, call } = await setup()
    const created = await topics.createTopic({ name: 'dup' })
    assert.ok(created.ok)
    const response = await call(deleteTopics, 6, {
      topics: [
        { name: 'dup', topicId: ZERO_UUID },
        { name: 'dup', topicId: ZERO_UUID },
        { name: 'both', topicId: created.topic.topicId },
        { name: null, topicId: ZERO_UUID },
      ],
      timeoutMs: 1000,
    })
    assert.deepEqual(
      response.responses.map((r) => [r.name, r.errorCode, r.errorMessage]),
      [
        ['dup', ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'],
        ['both', ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.'],
        [null, ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.'],
      ],
    )
    assert.ok(topics.topic('dup'))
  })

  it('answers TOPIC_DELETION_DISABLED when delete.topic.enable is false', async () => {
    const { topics, call } = await setup({ 'delete.topic.enable': 'false' })
    await topics.createTopic({ name: 'stays' })
    const response = await call(deleteTopics, 4, { topicNames: ['stays'], timeoutMs: 1000 })
    assert.equal(response.responses[0].errorCode, ErrorCode.TOPIC_DELETION_DISABLED)
    assert.ok(topics.topic('stays'))
  })
})
