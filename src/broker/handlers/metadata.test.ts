// Metadata handler: auto-creation under concurrency.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ErrorCode, ZERO_UUID } from '../../protocol/index.js'
import { createTestBroker } from '../../testing/index.js'
import { metadata } from './metadata.js'

test('#7 concurrent Metadata requests auto-creating one topic all describe it, none says TOPIC_ALREADY_EXISTS', async () => {
  const broker = await createTestBroker({ config: { autoCreateTopics: true } })
  try {
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        broker.call(metadata, 12, {
          topics: [{ name: 'x', topicId: ZERO_UUID }],
          allowAutoTopicCreation: true,
          includeTopicAuthorizedOperations: false,
        }),
      ),
    )
    const codes = answers.map((answer) => answer.topics[0].errorCode)
    assert.deepEqual(
      codes.filter((code) => code !== ErrorCode.NONE),
      [],
      `error codes: ${codes.join(',')}`,
    )
    const ids = new Set(answers.map((answer) => answer.topics[0].topicId))
    assert.equal(ids.size, 1, 'every answer names the one topic created')
    assert.equal(broker.topics.topics().length, 1)
  } finally {
    await broker.close()
  }
})
