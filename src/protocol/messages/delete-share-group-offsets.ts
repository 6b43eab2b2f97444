// DeleteShareGroupOffsets (key 92): forget the share state of whole topics for an empty share group
// (KIP-932); the next member to read them starts where share.auto.offset.reset says.
import { defineMessage } from '../schema.js'

export const DeleteShareGroupOffsetsRequest = defineMessage({
  apiKey: 92,
  name: 'DeleteShareGroupOffsetsRequest',
  kind: 'request',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    {
      name: 'topics',
      type: '[]',
      versions: '0+',
      fields: [{ name: 'topicName', type: 'string', versions: '0+' }],
    },
  ],
})

export const DeleteShareGroupOffsetsResponse = defineMessage({
  apiKey: 92,
  name: 'DeleteShareGroupOffsetsResponse',
  kind: 'response',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    {
      name: 'responses',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'topicName', type: 'string', versions: '0+' },
        { name: 'topicId', type: 'uuid', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ],
    },
  ],
})
