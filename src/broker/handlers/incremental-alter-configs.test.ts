// IncrementalAlterConfigs handler against a real TopicRegistry: SET, DELETE, APPEND and SUBTRACT on
// topics, validateOnly, and the answers for broker and logger resources.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AlterConfigOp } from '../../metadata/index.js'
import { ErrorCode } from '../../protocol/index.js'
import { ConfigResourceType } from './describe-configs.js'
import { incrementalAlterConfigs } from './incremental-alter-configs.js'
import { createTestBroker } from '../../testing/index.js'

const NODE_ID = 1

function setup(staticConfig: Record<string, string> = {}) {
  return createTestBroker({ config: { nodeId: NODE_ID, topicDefaults: staticConfig } })
}

describe('IncrementalAlterConfigs', () => {
  it('applies SET, DELETE and APPEND to a topic, keeping other overrides', async () => {
    const { topics, call } = await setup()
    await topics.createTopic({
      name: 't',
      configs: [
        { name: 'retention.ms', value: '1000' },
        { name: 'segment.ms', value: '60000' },
      ],
    })
    const response = await call(incrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: ConfigResourceType.TOPIC,
          resourceName: 't',
          configs: [
            { name: 'retention.ms', configOperation: AlterConfigOp.SET, value: '2000' },
            { name: 'segment.ms', configOperation: AlterConfigOp.DELETE, value: null },
            { name: 'cleanup.policy', configOperation: AlterConfigOp.APPEND, value: 'compact' },
          ],
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
    assert.deepEqual(topics.topic('t')?.configs, {
      'retention.ms': '2000',
      'cleanup.policy': 'delete,compact',
    })
  })

  it('fails the whole resource on a bad change, and validateOnly changes nothing', async () => {
    const { topics, call } = await setup()
    await topics.createTopic({ name: 't' })
    const response = await call(incrementalAlterConfigs, 0, {
      resources: [
        {
          resourceType: ConfigResourceType.TOPIC,
          resourceName: 't',
          configs: [
            { name: 'retention.ms', configOperation: AlterConfigOp.SET, value: '5' },
            { name: 'retention.ms', configOperation: AlterConfigOp.SET, value: '6' },
          ],
        },
        {
          resourceType: ConfigResourceType.TOPIC,
          resourceName: 't',
          configs: [{ name: 'retention.ms', configOperation: AlterConfigOp.APPEND, value: '5' }],
        },
        {
          resourceType: ConfigResourceType.TOPIC,
          resourceName: 't',
          configs: [{ name: 'retention.ms', configOperation: AlterConfigOp.SET, value: '5' }],
        },
        { resourceType: ConfigResourceType.TOPIC, resourceName: 'missing', configs: [] },
      ],
      validateOnly: true,
    })
    assert.deepEqual(
      response.responses.map((r) => r.errorCode),
      [
        ErrorCode.INVALID_REQUEST,
        ErrorCode.INVALID_CONFIG,
        ErrorCode.NONE,
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ],
    )
    assert.deepEqual(topics.topic('t')?.configs, {})
  })

  it('sets dynamic broker configs, lets deletions through and refuses read-only sets (#9)', async () => {
    const { call } = await setup()
    const response = await call(incrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: ConfigResourceType.BROKER,
          resourceName: '1',
          configs: [
            { name: 'log.retention.ms', configOperation: AlterConfigOp.SET, value: '1' },
            { name: 'num.partitions', configOperation: AlterConfigOp.DELETE, value: null },
          ],
        },
        {
          resourceType: ConfigResourceType.BROKER,
          resourceName: '',
          configs: [{ name: 'num.partitions', configOperation: AlterConfigOp.DELETE, value: null }],
        },
        {
          resourceType: ConfigResourceType.BROKER,
          resourceName: '',
          configs: [{ name: 'num.partitions', configOperation: AlterConfigOp.SET, value: '4' }],
        },
        {
          resourceType: ConfigResourceType.BROKER,
          resourceName: '1',
          configs: [{ name: 'num.partitions', configOperation: 9, value: '1' }],
        },
        {
          resourceType: ConfigResourceType.BROKER_LOGGER,
          resourceName: '1',
          configs: [{ name: 'root', configOperation: AlterConfigOp.SET, value: 'DEBUG' }],
        },
      ],
      validateOnly: false,
    })
    assert.deepEqual(
      response.responses.map((r) => [r.errorCode, r.errorMessage]),
      [
        [ErrorCode.NONE, null],
        [ErrorCode.NONE, null],
        [ErrorCode.INVALID_REQUEST, 'Cannot update these configs dynamically: [num.partitions]'],
        [ErrorCode.INVALID_REQUEST, 'Unknown alter config operation type 9'],
        [ErrorCode.NONE, null],
      ],
    )
  })
})
