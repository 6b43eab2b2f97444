// DescribeClientQuotas (key 48) and AlterClientQuotas (key 49): quotas per user, client id or IP
// (KIP-546); v1 is the first flexible version.
import { defineMessage } from '../schema.js'

const entityFields = [
  { name: 'entityType', type: 'string', versions: '0+' },
  { name: 'entityName', type: 'string', versions: '0+', nullableVersions: '0+' },
] as const

export const DescribeClientQuotasRequest = defineMessage({
  apiKey: 48,
  name: 'DescribeClientQuotasRequest',
  kind: 'request',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    {
      name: 'components',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'entityType', type: 'string', versions: '0+' },
        { name: 'matchType', type: 'int8', versions: '0+' },
        { name: 'match', type: 'string', versions: '0+', nullableVersions: '0+' },
      ],
    },
    { name: 'strict', type: 'bool', versions: '0+' },
  ],
})

export const DescribeClientQuotasResponse = defineMessage({
  apiKey: 48,
  name: 'DescribeClientQuotasResponse',
  kind: 'response',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    {
      name: 'entries',
      type: '[]',
      versions: '0+',
      nullableVersions: '0+',
      fields: [
        { name: 'entity', type: '[]', versions: '0+', fields: entityFields },
        {
          name: 'values',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'key', type: 'string', versions: '0+' },
            { name: 'value', type: 'float64', versions: '0+' },
          ],
        },
      ],
    },
  ],
})

export const AlterClientQuotasRequest = defineMessage({
  apiKey: 49,
  name: 'AlterClientQuotasRequest',
  kind: 'request',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    {
      name: 'entries',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'entity', type: '[]', versions: '0+', fields: entityFields },
        {
          name: 'ops',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'key', type: 'string', versions: '0+' },
            { name: 'value', type: 'float64', versions: '0+' },
            { name: 'remove', type: 'bool', versions: '0+' },
          ],
        },
      ],
    },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
})

export const AlterClientQuotasResponse = defineMessage({
  apiKey: 49,
  name: 'AlterClientQuotasResponse',
  kind: 'response',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'entries',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
        { name: 'entity', type: '[]', versions: '0+', fields: entityFields },
      ],
    },
  ],
})
