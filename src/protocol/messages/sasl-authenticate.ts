// SaslAuthenticate (key 36): carry SASL tokens once SaslHandshake v1 picked the mechanism.
import { defineMessage } from '../schema.js'

export const SaslAuthenticateRequest = defineMessage({
  apiKey: 36,
  name: 'SaslAuthenticateRequest',
  kind: 'request',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [{ name: 'authBytes', type: 'bytes', versions: '0+' }],
})

export const SaslAuthenticateResponse = defineMessage({
  apiKey: 36,
  name: 'SaslAuthenticateResponse',
  kind: 'response',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'authBytes', type: 'bytes', versions: '0+' },
    { name: 'sessionLifetimeMs', type: 'int64', versions: '1+' },
  ],
})
