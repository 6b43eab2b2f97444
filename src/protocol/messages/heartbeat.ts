// Heartbeat (key 12): a classic group member shows it is alive and learns of rebalances.
import { defineMessage } from '../schema.js'

export const HeartbeatRequest = defineMessage({
  apiKey: 12,
  name: 'HeartbeatRequest',
  kind: 'request',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
  ],
})

export const HeartbeatResponse = defineMessage({
  apiKey: 12,
  name: 'HeartbeatResponse',
  kind: 'response',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
})
