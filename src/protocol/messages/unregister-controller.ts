// UnregisterController (key 94, Kafka 4.4): remove a controller's registration from a KRaft cluster.
import { defineMessage } from '../schema.js'

export const UnregisterControllerRequest = defineMessage({
  apiKey: 94,
  name: 'UnregisterControllerRequest',
  kind: 'request',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [{ name: 'controllerId', type: 'int32', versions: '0+' }],
})

export const UnregisterControllerResponse = defineMessage({
  apiKey: 94,
  name: 'UnregisterControllerResponse',
  kind: 'response',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
  ],
})
