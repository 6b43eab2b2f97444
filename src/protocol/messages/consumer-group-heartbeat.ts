// ConsumerGroupHeartbeat (key 68): the KIP-848 consumer group protocol; members join, heartbeat and
// receive assignments computed by the coordinator.
import { defineMessage } from '../schema.js'

export const ConsumerGroupHeartbeatRequest = defineMessage({
  apiKey: 68,
  name: 'ConsumerGroupHeartbeatRequest',
  kind: 'request',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'memberEpoch', type: 'int32', versions: '0+' },
    { name: 'instanceId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'rackId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'rebalanceTimeoutMs', type: 'int32', versions: '0+', default: -1 },
    { name: 'subscribedTopicNames', type: '[]string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'subscribedTopicRegex', type: 'string', versions: '1+', nullableVersions: '1+', default: null },
    { name: 'serverAssignor', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    {
      name: 'topicPartitions',
      type: '[]',
      versions: '0+',
      nullableVersions: '0+',
      default: null,
      fields: [
        { name: 'topicId', type: 'uuid', versions: '0+' },
        { name: 'partitions', type: '[]int32', versions: '0+' },
      ],
    },
  ],
})

export const ConsumerGroupHeartbeatResponse = defineMessage({
  apiKey: 68,
  name: 'ConsumerGroupHeartbeatResponse',
  kind: 'response',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'memberId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'memberEpoch', type: 'int32', versions: '0+' },
    { name: 'heartbeatIntervalMs', type: 'int32', versions: '0+' },
    {
      name: 'assignment',
      type: 'struct',
      versions: '0+',
      nullableVersions: '0+',
      default: null,
      fields: [
        {
          name: 'topicPartitions',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'topicId', type: 'uuid', versions: '0+' },
            { name: 'partitions', type: '[]int32', versions: '0+' },
          ],
        },
      ],
    },
  ],
})
