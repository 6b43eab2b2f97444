// TxnOffsetCommit (key 28): a transactional producer stores a group's offsets as part of its transaction;
// they become committed offsets when the transaction commits. v2 adds leader epochs, v3 (flexible) the
// member's id, generation and instance id so the group can fence zombies; v4-v5 change only error codes
// and, under transaction version 2, let v5 add the group to the transaction implicitly; v6 names topics
// by id (as OffsetCommit v10).
import { defineMessage } from '../schema.js'

export const TxnOffsetCommitRequest = defineMessage({
  apiKey: 28,
  name: 'TxnOffsetCommitRequest',
  kind: 'request',
  validVersions: '0-6',
  flexibleVersions: '3+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '3+', default: -1 },
    { name: 'memberId', type: 'string', versions: '3+', default: '' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    {
      name: 'topics',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0-5' },
        { name: 'topicId', type: 'uuid', versions: '6+' },
        {
          name: 'partitions',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'committedOffset', type: 'int64', versions: '0+' },
            { name: 'committedLeaderEpoch', type: 'int32', versions: '2+', default: -1 },
            { name: 'committedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
  ],
})

export const TxnOffsetCommitResponse = defineMessage({
  apiKey: 28,
  name: 'TxnOffsetCommitResponse',
  kind: 'response',
  validVersions: '0-6',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'topics',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0-5' },
        { name: 'topicId', type: 'uuid', versions: '6+' },
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
