// DescribeShareGroupOffsets (key 90): the share-partition start offset of each partition a share group
// has state for (KIP-932), and from v1 its lag (KIP-1226). Null topics ask for every partition with state.
import { defineMessage } from '../schema.js'

export const DescribeShareGroupOffsetsRequest = defineMessage({
  apiKey: 90,
  name: 'DescribeShareGroupOffsetsRequest',
  kind: 'request',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    {
      name: 'groups',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'groupId', type: 'string', versions: '0+' },
        {
          name: 'topics',
          type: '[]',
          versions: '0+',
          nullableVersions: '0+',
          fields: [
            { name: 'topicName', type: 'string', versions: '0+' },
            { name: 'partitions', type: '[]int32', versions: '0+' },
          ],
        },
      ],
    },
  ],
})

export const DescribeShareGroupOffsetsResponse = defineMessage({
  apiKey: 90,
  name: 'DescribeShareGroupOffsetsResponse',
  kind: 'response',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'groups',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'groupId', type: 'string', versions: '0+' },
        {
          name: 'topics',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'topicName', type: 'string', versions: '0+' },
            { name: 'topicId', type: 'uuid', versions: '0+' },
            {
              name: 'partitions',
              type: '[]',
              versions: '0+',
              fields: [
                { name: 'partitionIndex', type: 'int32', versions: '0+' },
                { name: 'startOffset', type: 'int64', versions: '0+' },
                { name: 'leaderEpoch', type: 'int32', versions: '0+' },
                { name: 'lag', type: 'int64', versions: '1+', default: -1 },
                { name: 'errorCode', type: 'int16', versions: '0+' },
                {
                  name: 'errorMessage',
                  type: 'string',
                  versions: '0+',
                  nullableVersions: '0+',
                  default: null,
                },
              ],
            },
          ],
        },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ],
    },
  ],
})
