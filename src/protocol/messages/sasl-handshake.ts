// SaslHandshake (key 17): pick a SASL mechanism. v0 exchanges raw SASL tokens afterwards; v1 wraps them in
// SaslAuthenticate requests.
import { defineMessage } from '../schema.js'

export const SaslHandshakeRequest = defineMessage({
  apiKey: 17,
  name: 'SaslHandshakeRequest',
  kind: 'request',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [{ name: 'mechanism', type: 'string', versions: '0+' }],
})

export const SaslHandshakeResponse = defineMessage({
  apiKey: 17,
  name: 'SaslHandshakeResponse',
  kind: 'response',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'mechanisms', type: '[]string', versions: '0+' },
  ],
})
