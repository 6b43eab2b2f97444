// AlterConfigs (legacy) handler against a real TopicRegistry: whole-set replacement of topic overrides,
// validateOnly, and the answers for broker and logger resources.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorCode } from '../../protocol/index.js'
import { alterConfigs } from './alter-configs.js'
import { ConfigResourceType } from './describe-configs.js'
import { createTestBroker } from '../../testing/index.js'

const NODE_ID = 1

function setup(staticConfig: Record<string, string> = {}) {
  return createTestBroker({ config: { nodeId: NODE_ID, topicDefaults: staticConfig } })
}

describe('AlterConfigs', () => {
  it('replaces the whole set of a topic overrides', async () => {
    const { topics, call } = await setup()
    await topics.createTopic({
      name: 't',
      configs: [
        { name: 'retention.ms', value: '1000' },
        { name: 'cleanup.policy', value: 'compact' },
      ],
    })
    const response = await call(alterConfigs, 1, {
      resources: [
        {
          resourceType: ConfigResourceType.TOPIC,
          resourceName: 't',
          configs: [{ name: 'segment.ms', value: '60000' }],
        },
      ],
      validateOnly: false,
    })
    assert.deepEqual(response.responses, [
      {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        resourceType: ConfigResourceType.TOPIC,
        resourceName: 't',
      },
    ])
    assert.deepEqual(topics.topic('t')?.configs, { 'segment.ms': '60000' })
  })

  it('validateOnly checks without changing, and bad values fail the resource', async () => {
    const { topics, call } = await setup()
    await topics.createTopic({ name: 't', configs: [{ name: 'retention.ms', value: '1000' }] })
    const response = await call(alterConfigs, 2, {
      resources: [
        {
          resourceType: ConfigResourceType.TOPIC,
          resourceName: 't',
          configs: [{ name: 'segment.ms', value: '60000' }],
        },
        {
          resourceType: ConfigResourceType.TOPIC,
          resourceName: 't',
          configs: [{ name: 'segment.ms', value: 'soon' }],
        },
      ],
      validateOnly: true,
    })
    assert.equal(response.responses[0].errorCode, ErrorCode.NONE)
    assert.equal(response.responses[1].errorCode, ErrorCode.INVALID_CONFIG)
    assert.match(response.responses[1].errorMessage ?? '', /segment\.ms/)
    assert.deepEqual(topics.topic('t')?.configs, { 'retention.ms': '1000' })
  })

  it('answers unknown and unnamed topics', async () => {
    const { call } = await setup()
    const response = await call(alterConfigs, 0, {
      resources: [
        { resourceType: ConfigResourceType.TOPIC, resourceName: 'missing', configs: [] },
        { resourceType: ConfigResourceType.TOPIC, resourceName: '', configs: [] },
      ],
      validateOnly: false,
    })
    assert.equal(response.responses[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    assert.equal(response.responses[1].errorCode, ErrorCode.INVALID_REQUEST)
    assert.equal(response.responses[1].errorMessage, 'Default topic resources are not allowed.')
  })

  it('replaces dynamic broker configs, refuses read-only ones and logger changes (#9)', async () => {
    const { call, topics } = await setup()
    const response = await call(alterConfigs, 1, {
      resources: [
        {
          resourceType: ConfigResourceType.BROKER,
          resourceName: '1',
          configs: [{ name: 'log.retention.ms', value: '1' }],
        },
        {
          resourceType: ConfigResourceType.BROKER,
          resourceName: '',
          configs: [{ name: 'num.partitions', value: '2' }],
        },
        { resourceType: ConfigResourceType.BROKER, resourceName: '3', configs: [] },
        {
          resourceType: ConfigResourceType.BROKER_LOGGER,
          resourceName: '1',
          configs: [{ name: 'root', value: 'DEBUG' }],
        },
      ],
      validateOnly: false,
    })
    assert.deepEqual(
      response.responses.map((r) => [r.resourceName, r.errorCode, r.errorMessage]),
      [
        ['1', ErrorCode.NONE, null],
        ['', ErrorCode.INVALID_REQUEST, 'Cannot update these configs dynamically: [num.partitions]'],
        ['3', ErrorCode.INVALID_REQUEST, 'Unexpected broker id, expected 1, but received 3'],
        [
          '1',
          ErrorCode.INVALID_REQUEST,
          'AlterConfigs is deprecated and does not support the resource type BROKER_LOGGER',
        ],
      ],
    )
    const { brokerConfig } = topics
    assert.deepEqual(brokerConfig.dynamicConfigs('broker'), { 'log.retention.ms': '1' })
    // AlterConfigs replaces the whole set: an empty one removes what was there.
    const cleared = await call(alterConfigs, 1, {
      resources: [{ resourceType: ConfigResourceType.BROKER, resourceName: '1', configs: [] }],
      validateOnly: false,
    })
    assert.equal(cleared.responses[0].errorCode, ErrorCode.NONE)
    assert.deepEqual(brokerConfig.dynamicConfigs('broker'), {})
  })
})
