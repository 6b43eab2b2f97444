// FindCoordinator (key 10): which broker coordinates a group, transaction or share partition. v0-3 ask
// for one key; v4+ ask for a batch of keys.
import { defineMessage } from '../schema.js'

export const FindCoordinatorRequest = defineMessage({
  apiKey: 10,
  name: 'FindCoordinatorRequest',
  kind: 'request',
  validVersions: '0-6',
  flexibleVersions: '3+',
  fields: [
    { name: 'key', type: 'string', versions: '0-3' },
    { name: 'keyType', type: 'int8', versions: '1+' },
    { name: 'coordinatorKeys', type: '[]string', versions: '4+' },
  ],
})

export const FindCoordinatorResponse = defineMessage({
  apiKey: 10,
  name: 'FindCoordinatorResponse',
  kind: 'response',
  validVersions: '0-6',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0-3' },
    { name: 'errorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3' },
    { name: 'nodeId', type: 'int32', versions: '0-3' },
    { name: 'host', type: 'string', versions: '0-3' },
    { name: 'port', type: 'int32', versions: '0-3' },
    {
      name: 'coordinators',
      type: '[]',
      versions: '4+',
      fields: [
        { name: 'key', type: 'string', versions: '4+' },
        { name: 'nodeId', type: 'int32', versions: '4+' },
        { name: 'host', type: 'string', versions: '4+' },
        { name: 'port', type: 'int32', versions: '4+' },
        { name: 'errorCode', type: 'int16', versions: '4+' },
        { name: 'errorMessage', type: 'string', versions: '4+', nullableVersions: '4+' },
      ],
    },
  ],
})
