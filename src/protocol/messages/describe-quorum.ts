// DescribeQuorum (key 55): the KRaft metadata quorum, its leader and voters (KIP-595, KIP-836 for the
// replicas' timestamps, KIP-853 for directory ids and the voters' listeners in v2).
import { defineMessage } from '../schema.js'

export const DescribeQuorumRequest = defineMessage({
  apiKey: 55,
  name: 'DescribeQuorumRequest',
  kind: 'request',
  validVersions: '0-2',
  flexibleVersions: '0+',
  fields: [
    {
      name: 'topics',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'topicName', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: '[]',
          versions: '0+',
          fields: [{ name: 'partitionIndex', type: 'int32', versions: '0+' }],
        },
      ],
    },
  ],
})

/** One voter or observer of the quorum as the leader sees it. */
const replicaStateFields = [
  { name: 'replicaId', type: 'int32', versions: '0+' },
  { name: 'replicaDirectoryId', type: 'uuid', versions: '2+' },
  { name: 'logEndOffset', type: 'int64', versions: '0+' },
  { name: 'lastFetchTimestamp', type: 'int64', versions: '1+', default: -1 },
  { name: 'lastCaughtUpTimestamp', type: 'int64', versions: '1+', default: -1 },
] as const

export const DescribeQuorumResponse = defineMessage({
  apiKey: 55,
  name: 'DescribeQuorumResponse',
  kind: 'response',
  validVersions: '0-2',
  flexibleVersions: '0+',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '2+', nullableVersions: '2+', default: null },
    {
      name: 'topics',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'topicName', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'errorMessage', type: 'string', versions: '2+', nullableVersions: '2+', default: null },
            { name: 'leaderId', type: 'int32', versions: '0+', default: -1 },
            { name: 'leaderEpoch', type: 'int32', versions: '0+', default: -1 },
            { name: 'highWatermark', type: 'int64', versions: '0+', default: -1 },
            { name: 'currentVoters', type: '[]', versions: '0+', fields: replicaStateFields },
            { name: 'observers', type: '[]', versions: '0+', fields: replicaStateFields },
          ],
        },
      ],
    },
    {
      name: 'nodes',
      type: '[]',
      versions: '2+',
      fields: [
        { name: 'nodeId', type: 'int32', versions: '2+' },
        {
          name: 'listeners',
          type: '[]',
          versions: '2+',
          fields: [
            { name: 'name', type: 'string', versions: '2+' },
            { name: 'host', type: 'string', versions: '2+' },
            { name: 'port', type: 'uint16', versions: '2+' },
          ],
        },
      ],
    },
  ],
})
