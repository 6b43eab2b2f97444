// ShareFetch (key 78): fetch and acquire records of share partitions, acknowledging earlier deliveries.
// v0 was the Kafka 4.0 early-access version; v2 adds acquire modes and Renew (KIP-1206, KIP-1222).
import { defineMessage } from '../schema.js'

export const ShareFetchRequest = defineMessage({
  apiKey: 78,
  name: 'ShareFetchRequest',
  kind: 'request',
  validVersions: '0-2',
  flexibleVersions: '0+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'memberId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'shareSessionEpoch', type: 'int32', versions: '0+' },
    { name: 'maxWaitMs', type: 'int32', versions: '0+' },
    { name: 'minBytes', type: 'int32', versions: '0+' },
    { name: 'maxBytes', type: 'int32', versions: '0+', default: 2147483647 },
    { name: 'maxRecords', type: 'int32', versions: '1+' },
    { name: 'batchSize', type: 'int32', versions: '1+' },
    { name: 'shareAcquireMode', type: 'int8', versions: '2+' },
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
            { name: 'partitionMaxBytes', type: 'int32', versions: '0' },
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
    {
      name: 'forgottenTopicsData',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'topicId', type: 'uuid', versions: '0+' },
        { name: 'partitions', type: '[]int32', versions: '0+' },
      ],
    },
  ],
})

export const ShareFetchResponse = defineMessage({
  apiKey: 78,
  name: 'ShareFetchResponse',
  kind: 'response',
  validVersions: '0-2',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'acquisitionLockTimeoutMs', type: 'int32', versions: '1+' },
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
            { name: 'acknowledgeErrorCode', type: 'int16', versions: '0+' },
            {
              name: 'acknowledgeErrorMessage',
              type: 'string',
              versions: '0+',
              nullableVersions: '0+',
              default: null,
            },
            {
              name: 'currentLeader',
              type: 'struct',
              versions: '0+',
              fields: [
                { name: 'leaderId', type: 'int32', versions: '0+' },
                { name: 'leaderEpoch', type: 'int32', versions: '0+' },
              ],
            },
            { name: 'records', type: 'records', versions: '0+', nullableVersions: '0' },
            {
              name: 'acquiredRecords',
              type: '[]',
              versions: '0+',
              fields: [
                { name: 'firstOffset', type: 'int64', versions: '0+' },
                { name: 'lastOffset', type: 'int64', versions: '0+' },
                { name: 'deliveryCount', type: 'int16', versions: '0+' },
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
