// UnregisterBroker (key 64): remove a broker's registration from a KRaft cluster (KIP-500).
import { defineMessage } from '../schema.js'

export const UnregisterBrokerRequest = defineMessage({
  apiKey: 64,
  name: 'UnregisterBrokerRequest',
  kind: 'request',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [{ name: 'brokerId', type: 'int32', versions: '0+' }],
})

export const UnregisterBrokerResponse = defineMessage({
  apiKey: 64,
  name: 'UnregisterBrokerResponse',
  kind: 'response',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
  ],
})
