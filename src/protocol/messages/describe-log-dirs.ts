// DescribeLogDirs (key 35): the broker's log directories, each with its volume's sizes and the bytes on
// disk of the partitions asked for (all when the topic list is null).
import { defineMessage } from '../schema.js'

export const DescribeLogDirsRequest = defineMessage({
  apiKey: 35,
  name: 'DescribeLogDirsRequest',
  kind: 'request',
  validVersions: '0-5',
  flexibleVersions: '2+',
  fields: [
    {
      name: 'topics',
      type: '[]',
      versions: '0+',
      nullableVersions: '0+',
      fields: [
        { name: 'topic', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]int32', versions: '0+' },
      ],
    },
  ],
})

export const DescribeLogDirsResponse = defineMessage({
  apiKey: 35,
  name: 'DescribeLogDirsResponse',
  kind: 'response',
  validVersions: '0-5',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '3+' },
    {
      name: 'results',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'logDir', type: 'string', versions: '0+' },
        {
          name: 'topics',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            {
              name: 'partitions',
              type: '[]',
              versions: '0+',
              fields: [
                { name: 'partitionIndex', type: 'int32', versions: '0+' },
                { name: 'partitionSize', type: 'int64', versions: '0+' },
                { name: 'offsetLag', type: 'int64', versions: '0+' },
                { name: 'isFutureKey', type: 'bool', versions: '0+' },
              ],
            },
          ],
        },
        { name: 'totalBytes', type: 'int64', versions: '4+', default: -1 },
        { name: 'usableBytes', type: 'int64', versions: '4+', default: -1 },
        // KIP-1066: a cordoned directory takes no new partitions; Brook never cordons its one directory.
        { name: 'isCordoned', type: 'bool', versions: '5+', default: false },
      ],
    },
  ],
})
