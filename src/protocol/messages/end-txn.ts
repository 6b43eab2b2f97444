// EndTxn (key 26): commit or abort a producer's transaction. v5 (transaction version 2) answers the
// producer id and epoch to use next, since the coordinator bumps the epoch on every EndTxn.
import { defineMessage } from '../schema.js'

export const EndTxnRequest = defineMessage({
  apiKey: 26,
  name: 'EndTxnRequest',
  kind: 'request',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'committed', type: 'bool', versions: '0+' },
  ],
})

export const EndTxnResponse = defineMessage({
  apiKey: 26,
  name: 'EndTxnResponse',
  kind: 'response',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '5+', default: -1 },
    { name: 'producerEpoch', type: 'int16', versions: '5+', default: -1 },
  ],
})
