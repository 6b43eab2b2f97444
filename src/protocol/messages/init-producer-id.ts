// InitProducerId (key 22): assign an idempotent or transactional producer its id and epoch.
import { defineMessage } from '../schema.js'

export const InitProducerIdRequest = defineMessage({
  apiKey: 22,
  name: 'InitProducerIdRequest',
  kind: 'request',
  validVersions: '0-6',
  flexibleVersions: '2+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '3+', default: -1 },
    { name: 'producerEpoch', type: 'int16', versions: '3+', default: -1 },
    { name: 'enable2Pc', type: 'bool', versions: '6+' },
    { name: 'keepPreparedTxn', type: 'bool', versions: '6+' },
  ],
})

export const InitProducerIdResponse = defineMessage({
  apiKey: 22,
  name: 'InitProducerIdResponse',
  kind: 'response',
  validVersions: '0-6',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+', default: -1 },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'ongoingTxnProducerId', type: 'int64', versions: '6+', default: -1 },
    { name: 'ongoingTxnProducerEpoch', type: 'int16', versions: '6+', default: -1 },
  ],
})
