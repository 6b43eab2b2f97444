// IncrementalAlterConfigs handler against a real TopicRegistry: SET, DELETE, APPEND and SUBTRACT on
// topics, validateOnly, and the answers for broker and logger resources.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AlterConfigOp } from '../../metadata/index.js'
import { ErrorCode } from '../../protocol/index.js'
import { ConfigResourceType } from './describe-configs.js'
import { incrementalAlterConfigs } from './incremental-alter-configs.js'
import type { BrokerContext } from '../broker-context.js'
import type { Handler, RequestContext } from '../handler.js'
import { BrokerConfig, TopicRegistry } from '../../metadata/index.js'
import {
  type MessageDef,
  type MessageInput,
  type MessageValue,
  Reader,
  Writer,
  requestCodec,
  responseCodec,
} from '../../protocol/index.js'
import { SimFileSystem } from '../../testing/index.js'

const NODE_ID = 1

async function setup(staticConfig: Record<string, string> = {}) {
  const topics = await TopicRegistry.open({
    fileSystem: new SimFileSystem(),
    dir: '/data/__metadata',
    nodeId: NODE_ID,
    brokerConfig: new BrokerConfig(staticConfig),
  })
  const broker = {
    config: { nodeId: NODE_ID, advertisedHost: 'broker.test', logLevel: 'info' },
    advertisedPort: 19092,
    clusterId: topics.clusterId,
    topics,
  } as unknown as BrokerContext
  async function call<Req extends MessageDef, Res extends MessageDef>(
    handler: Handler<Req, Res>,
    version: number,
    input: MessageInput<Req>,
  ): Promise<MessageValue<Res>> {
    const writer = new Writer()
    requestCodec(handler.apiKey, version)!.encode(writer, input as MessageInput<MessageDef>)
    const request = requestCodec(handler.apiKey, version)!.decode(
      new Reader(writer.toBuffer()),
    ) as MessageValue<Req>
    const context: RequestContext = {
      header: { apiKey: handler.apiKey, apiVersion: version, correlationId: 7, clientId: 'test' },
      connectionId: 1,
      broker,
    }
    const response = await handler.handle(request, context)
    if (response === null) throw new Error('no response')
    const out = new Writer()
    responseCodec(handler.apiKey, version)!.encode(out, response as MessageInput<MessageDef>)
    return responseCodec(handler.apiKey, version)!.decode(new Reader(out.toBuffer())) as MessageValue<Res>
  }
  return { topics, call }
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

  it('lets broker deletions through and refuses broker sets as non-dynamic', async () => {
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
        [ErrorCode.INVALID_REQUEST, 'Cannot update these configs dynamically: Set(log.retention.ms)'],
        [ErrorCode.NONE, null],
        [ErrorCode.INVALID_REQUEST, 'Unknown alter config operation type 9'],
        [
          ErrorCode.INVALID_REQUEST,
          'Logger levels cannot be changed at runtime on this broker; restart it with another log level.',
        ],
      ],
    )
  })
})
