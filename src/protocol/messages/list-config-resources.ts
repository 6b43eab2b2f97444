// ListConfigResources (key 74; Kafka 4.1+, KIP-1142): the config resources of the given types. Version 0
// is the former ListClientMetricsResources, which lists client-metrics resources only.
import { defineMessage } from '../schema.js'

export const ListConfigResourcesRequest = defineMessage({
  apiKey: 74,
  name: 'ListConfigResourcesRequest',
  kind: 'request',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [{ name: 'resourceTypes', type: '[]int8', versions: '1+' }],
})

export const ListConfigResourcesResponse = defineMessage({
  apiKey: 74,
  name: 'ListConfigResourcesResponse',
  kind: 'response',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'configResources',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'resourceName', type: 'string', versions: '0+' },
        { name: 'resourceType', type: 'int8', versions: '1+' },
      ],
    },
  ],
})
