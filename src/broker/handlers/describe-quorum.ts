// DescribeQuorum (Admin.describeMetadataQuorum, kafka-metadata-quorum.sh describe): the metadata quorum of
// one node, as Kafka answers on a node that is broker and controller at once: this node is the only voter
// and the leader, with no observers. Its "metadata log" is Brook's metadata state log: the high watermark
// and the voter's log end offset are the records it has taken since the node was created. The
// leader epoch is 1, the first term, as Kafka's after its first election: one node never holds another.
// The voter has no directory id (kraft.version 0, as Brook's features say) and its listener is the one
// listener this node has.
import { DescribeQuorumRequest, DescribeQuorumResponse, ErrorCode, ZERO_UUID } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

/** Kafka's metadata log: the only topic partition DescribeQuorum may ask about. */
export const METADATA_TOPIC_NAME = '__cluster_metadata'
const QUORUM_LEADER_EPOCH = 1
const LISTENER_NAME = 'PLAINTEXT'

export const describeQuorum = defineHandler({
  request: DescribeQuorumRequest,
  response: DescribeQuorumResponse,
  versions: { min: 0, max: 2 },
  handle(request, context) {
    const { broker } = context
    const nodeId = broker.config.nodeId
    const asked = request.topics
    const valid =
      asked.length === 1 &&
      asked[0].topicName === METADATA_TOPIC_NAME &&
      asked[0].partitions.length === 1 &&
      asked[0].partitions[0].partitionIndex === 0
    if (!valid) {
      // As Kafka (one metadata partition, no multi-raft): every partition asked for is unknown, with the
      // leader, epoch and high watermark at 0 and an empty top-level message as Kafka 4.4 answers.
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: asked.length === 0 ? null : '',
        topics: asked.map((topic) => ({
          topicName: topic.topicName,
          partitions: topic.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            errorMessage: 'This server does not host this topic-partition.',
            leaderId: 0,
            leaderEpoch: 0,
            highWatermark: 0,
            currentVoters: [],
            observers: [],
          })),
        })),
        nodes: [],
      }
    }
    const endOffset = broker.topics.metadataEndOffset
    const nowMs = broker.clock.nowMs()
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      topics: [
        {
          topicName: METADATA_TOPIC_NAME,
          partitions: [
            {
              partitionIndex: 0,
              errorCode: ErrorCode.NONE,
              errorMessage: null,
              leaderId: nodeId,
              leaderEpoch: QUORUM_LEADER_EPOCH,
              highWatermark: endOffset,
              // The leader reports itself as fetched and caught up now, as Kafka's does.
              currentVoters: [
                {
                  replicaId: nodeId,
                  replicaDirectoryId: ZERO_UUID,
                  logEndOffset: endOffset,
                  lastFetchTimestamp: nowMs,
                  lastCaughtUpTimestamp: nowMs,
                },
              ],
              observers: [],
            },
          ],
        },
      ],
      nodes: [
        {
          nodeId,
          listeners: [
            { name: LISTENER_NAME, host: broker.config.advertisedHost, port: broker.advertisedPort },
          ],
        },
      ],
    }
  },
})
