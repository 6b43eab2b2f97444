// AddOffsetsToTxn (key 25): a transactional producer adds a consumer group's offsets to its transaction
// before it sends TxnOffsetCommit to the group coordinator.
import { defineMessage } from '../schema.js'

export const AddOffsetsToTxnRequest = defineMessage({
  apiKey: 25,
  name: 'AddOffsetsToTxnRequest',
  kind: 'request',
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'groupId', type: 'string', versions: '0+' },
  ],
})

export const AddOffsetsToTxnResponse = defineMessage({
  apiKey: 25,
  name: 'AddOffsetsToTxnResponse',
  kind: 'response',
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
})
