// DescribeCluster handler: this node as the only broker and the controller; controller endpoints and
// unknown endpoint types answered with Kafka's errors.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorCode } from '../../protocol/index.js'
import { describeCluster, EndpointType } from './describe-cluster.js'
import { createTestBroker } from '../../testing/index.js'

const NODE_ID = 1

function setup(staticConfig: Record<string, string> = {}) {
  return createTestBroker({ config: { nodeId: NODE_ID, topicDefaults: staticConfig } })
}

describe('DescribeCluster', () => {
  for (const version of [0, 1, 2]) {
    it(`describes this node as broker and controller (v${version})`, async () => {
      const { topics, call } = await setup()
      const response = await call(describeCluster, version, { includeClusterAuthorizedOperations: true })
      assert.equal(response.errorCode, ErrorCode.NONE)
      assert.equal(response.errorMessage, null)
      assert.equal(response.clusterId, topics.clusterId)
      assert.equal(response.controllerId, 1)
      assert.equal(response.endpointType, EndpointType.BROKER)
      assert.deepEqual(response.brokers, [
        { brokerId: 1, host: 'broker.test', port: 19092, rack: null, isFenced: false },
      ])
      // #9: as Kafka 4.4 without an authorizer: ALTER, ALTER_CONFIGS, CLUSTER_ACTION, CREATE, DESCRIBE,
      // DESCRIBE_CONFIGS, IDEMPOTENT_WRITE (bits 7, 11, 9, 5, 8, 10, 12).
      assert.equal(
        response.clusterAuthorizedOperations,
        (1 << 7) | (1 << 11) | (1 << 9) | (1 << 5) | (1 << 8) | (1 << 10) | (1 << 12),
      )
      const without = await call(describeCluster, version, { includeClusterAuthorizedOperations: false })
      assert.equal(without.clusterAuthorizedOperations, -2147483648)
    })
  }

  it('#9: v2 with includeFencedBrokers lists the one broker, never fenced', async () => {
    const { call } = await setup()
    const response = await call(describeCluster, 2, { includeFencedBrokers: true })
    assert.deepEqual(
      response.brokers.map((broker) => [broker.brokerId, broker.isFenced]),
      [[1, false]],
    )
  })

  it('answers a request for controller endpoints with MISMATCHED_ENDPOINT_TYPE', async () => {
    const { call } = await setup()
    const response = await call(describeCluster, 1, { endpointType: EndpointType.CONTROLLER })
    assert.equal(response.errorCode, ErrorCode.MISMATCHED_ENDPOINT_TYPE)
    assert.equal(
      response.errorMessage,
      'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER',
    )
    assert.deepEqual(response.brokers, [])
  })

  it('answers an unknown endpoint type with UNSUPPORTED_ENDPOINT_TYPE', async () => {
    const { call } = await setup()
    const response = await call(describeCluster, 1, { endpointType: 42 })
    assert.equal(response.errorCode, ErrorCode.UNSUPPORTED_ENDPOINT_TYPE)
    assert.equal(response.errorMessage, 'Unsupported endpoint type 42')
  })
})
