// AlterReplicaLogDirs (key 34): move replicas to another log directory of the same broker; v1 is v0.
import { defineMessage } from '../schema.js'

export const AlterReplicaLogDirsRequest = defineMessage({
  apiKey: 34,
  name: 'AlterReplicaLogDirsRequest',
  kind: 'request',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    {
      name: 'dirs',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'path', type: 'string', versions: '0+' },
        {
          name: 'topics',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            { name: 'partitions', type: '[]int32', versions: '0+' },
          ],
        },
      ],
    },
  ],
})

export const AlterReplicaLogDirsResponse = defineMessage({
  apiKey: 34,
  name: 'AlterReplicaLogDirsResponse',
  kind: 'response',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
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
          ],
        },
      ],
    },
  ],
})
