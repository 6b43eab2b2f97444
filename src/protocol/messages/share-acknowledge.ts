// ShareAcknowledge (key 79): acknowledge delivered share-group records without fetching more.
// v2 adds Renew acknowledgements (KIP-1222).
import { defineMessage } from '../schema.js'

export const ShareAcknowledgeRequest = defineMessage({
  apiKey: 79,
  name: 'ShareAcknowledgeRequest',
  kind: 'request',
  validVersions: '0-2',
  flexibleVersions: '0+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'memberId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'shareSessionEpoch', type: 'int32', versions: '0+' },
    { name: 'isRenewAck', type: 'bool', versions: '2+' },
    {
      name: 'topics',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'topicId', type: 'uuid', versions: '0+' },
        {
          name: 'partitions',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            {
              name: 'acknowledgementBatches',
              type: '[]',
              versions: '0+',
              fields: [
                { name: 'firstOffset', type: 'int64', versions: '0+' },
                { name: 'lastOffset', type: 'int64', versions: '0+' },
                { name: 'acknowledgeTypes', type: '[]int8', versions: '0+' },
              ],
            },
          ],
        },
      ],
    },
  ],
})

export const ShareAcknowledgeResponse = defineMessage({
  apiKey: 79,
  name: 'ShareAcknowledgeResponse',
  kind: 'response',
  validVersions: '0-2',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'acquisitionLockTimeoutMs', type: 'int32', versions: '2+' },
    {
      name: 'responses',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'topicId', type: 'uuid', versions: '0+' },
        {
          name: 'partitions',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
            {
              name: 'currentLeader',
              type: 'struct',
              versions: '0+',
              fields: [
                { name: 'leaderId', type: 'int32', versions: '0+' },
                { name: 'leaderEpoch', type: 'int32', versions: '0+' },
              ],
            },
          ],
        },
      ],
    },
    {
      name: 'nodeEndpoints',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'nodeId', type: 'int32', versions: '0+' },
        { name: 'host', type: 'string', versions: '0+' },
        { name: 'port', type: 'int32', versions: '0+' },
        { name: 'rack', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ],
    },
  ],
})
