// CreateDelegationToken (key 38), RenewDelegationToken (39), ExpireDelegationToken (40) and
// DescribeDelegationToken (41): tokens for SASL clients (KIP-48). v0 is v1 (Kafka 4 removed it), v2 is the
// first flexible version, v3 adds the owner and requester principals of Create and Describe.
import { defineMessage } from '../schema.js'

const principalFields = [
  { name: 'principalType', type: 'string', versions: '0+' },
  { name: 'principalName', type: 'string', versions: '0+' },
] as const

export const CreateDelegationTokenRequest = defineMessage({
  apiKey: 38,
  name: 'CreateDelegationTokenRequest',
  kind: 'request',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    { name: 'ownerPrincipalType', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    { name: 'ownerPrincipalName', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    { name: 'renewers', type: '[]', versions: '0+', fields: principalFields },
    { name: 'maxLifetimeMs', type: 'int64', versions: '0+', default: -1 },
  ],
})

export const CreateDelegationTokenResponse = defineMessage({
  apiKey: 38,
  name: 'CreateDelegationTokenResponse',
  kind: 'response',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'principalType', type: 'string', versions: '0+', default: '' },
    { name: 'principalName', type: 'string', versions: '0+', default: '' },
    { name: 'tokenRequesterPrincipalType', type: 'string', versions: '3+', default: '' },
    { name: 'tokenRequesterPrincipalName', type: 'string', versions: '3+', default: '' },
    { name: 'issueTimestampMs', type: 'int64', versions: '0+', default: -1 },
    { name: 'expiryTimestampMs', type: 'int64', versions: '0+', default: -1 },
    { name: 'maxTimestampMs', type: 'int64', versions: '0+', default: -1 },
    { name: 'tokenId', type: 'string', versions: '0+', default: '' },
    { name: 'hmac', type: 'bytes', versions: '0+' },
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
  ],
})

export const RenewDelegationTokenRequest = defineMessage({
  apiKey: 39,
  name: 'RenewDelegationTokenRequest',
  kind: 'request',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'hmac', type: 'bytes', versions: '0+' },
    { name: 'renewPeriodMs', type: 'int64', versions: '0+' },
  ],
})

export const RenewDelegationTokenResponse = defineMessage({
  apiKey: 39,
  name: 'RenewDelegationTokenResponse',
  kind: 'response',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'expiryTimestampMs', type: 'int64', versions: '0+', default: -1 },
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
  ],
})

export const ExpireDelegationTokenRequest = defineMessage({
  apiKey: 40,
  name: 'ExpireDelegationTokenRequest',
  kind: 'request',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'hmac', type: 'bytes', versions: '0+' },
    { name: 'expiryTimePeriodMs', type: 'int64', versions: '0+' },
  ],
})

export const ExpireDelegationTokenResponse = defineMessage({
  apiKey: 40,
  name: 'ExpireDelegationTokenResponse',
  kind: 'response',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'expiryTimestampMs', type: 'int64', versions: '0+', default: -1 },
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
  ],
})

export const DescribeDelegationTokenRequest = defineMessage({
  apiKey: 41,
  name: 'DescribeDelegationTokenRequest',
  kind: 'request',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [{ name: 'owners', type: '[]', versions: '0+', nullableVersions: '0+', fields: principalFields }],
})

export const DescribeDelegationTokenResponse = defineMessage({
  apiKey: 41,
  name: 'DescribeDelegationTokenResponse',
  kind: 'response',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'tokens',
      type: '[]',
      versions: '0+',
      fields: [
        ...principalFields,
        { name: 'tokenRequesterPrincipalType', type: 'string', versions: '3+' },
        { name: 'tokenRequesterPrincipalName', type: 'string', versions: '3+' },
        { name: 'issueTimestamp', type: 'int64', versions: '0+' },
        { name: 'expiryTimestamp', type: 'int64', versions: '0+' },
        { name: 'maxTimestamp', type: 'int64', versions: '0+' },
        { name: 'tokenId', type: 'string', versions: '0+' },
        { name: 'hmac', type: 'bytes', versions: '0+' },
        { name: 'renewers', type: '[]', versions: '0+', fields: principalFields },
      ],
    },
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
  ],
})
