// ShareGroupDescribe (key 77): state, members and assignments of share groups (KIP-932).
import { defineMessage } from '../schema.js'

export const ShareGroupDescribeRequest = defineMessage({
  apiKey: 77,
  name: 'ShareGroupDescribeRequest',
  kind: 'request',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'groupIds', type: '[]string', versions: '0+' },
    { name: 'includeAuthorizedOperations', type: 'bool', versions: '0+' },
  ],
})

export const ShareGroupDescribeResponse = defineMessage({
  apiKey: 77,
  name: 'ShareGroupDescribeResponse',
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
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
        { name: 'groupId', type: 'string', versions: '0+' },
        { name: 'groupState', type: 'string', versions: '0+' },
        { name: 'groupEpoch', type: 'int32', versions: '0+' },
        { name: 'assignmentEpoch', type: 'int32', versions: '0+' },
        { name: 'assignorName', type: 'string', versions: '0+' },
        {
          name: 'members',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'memberId', type: 'string', versions: '0+' },
            { name: 'rackId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
            { name: 'memberEpoch', type: 'int32', versions: '0+' },
            { name: 'clientId', type: 'string', versions: '0+' },
            { name: 'clientHost', type: 'string', versions: '0+' },
            { name: 'subscribedTopicNames', type: '[]string', versions: '0+' },
            {
              name: 'assignment',
              type: 'struct',
              versions: '0+',
              fields: [
                {
                  name: 'topicPartitions',
                  type: '[]',
                  versions: '0+',
                  fields: [
                    { name: 'topicId', type: 'uuid', versions: '0+' },
                    { name: 'topicName', type: 'string', versions: '0+' },
                    { name: 'partitions', type: '[]int32', versions: '0+' },
                  ],
                },
              ],
            },
          ],
        },
        { name: 'authorizedOperations', type: 'int32', versions: '0+', default: -2147483648 },
      ],
    },
  ],
})
