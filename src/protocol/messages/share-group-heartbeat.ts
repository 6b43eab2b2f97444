// ShareGroupHeartbeat (key 76): share group (KIP-932) members join, heartbeat and receive assignments.
// v0 was the Kafka 4.0 early-access version; v1 is the stable one.
import { defineMessage } from '../schema.js'

export const ShareGroupHeartbeatRequest = defineMessage({
  apiKey: 76,
  name: 'ShareGroupHeartbeatRequest',
  kind: 'request',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'memberEpoch', type: 'int32', versions: '0+' },
    { name: 'rackId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'subscribedTopicNames', type: '[]string', versions: '0+', nullableVersions: '0+', default: null },
  ],
})

export const ShareGroupHeartbeatResponse = defineMessage({
  apiKey: 76,
  name: 'ShareGroupHeartbeatResponse',
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
