// ApiVersions (key 18): which APIs and versions the broker serves. Its response always goes out with
// response header v0, even in flexible versions (KIP-511), so any client can read it.
import { defineMessage } from '../schema.js'

export const ApiVersionsRequest = defineMessage({
  apiKey: 18,
  name: 'ApiVersionsRequest',
  kind: 'request',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'clientSoftwareName', type: 'string', versions: '3+', default: '' },
    { name: 'clientSoftwareVersion', type: 'string', versions: '3+', default: '' },
    // v5: the cluster and node the client expects to reach (null / -1 when it does not know yet).
    { name: 'clusterId', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
    { name: 'nodeId', type: 'int32', versions: '5+', default: -1 },
  ],
})

export const ApiVersionsResponse = defineMessage({
  apiKey: 18,
  name: 'ApiVersionsResponse',
  kind: 'response',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'apiKeys',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'apiKey', type: 'int16', versions: '0+' },
        { name: 'minVersion', type: 'int16', versions: '0+' },
        { name: 'maxVersion', type: 'int16', versions: '0+' },
      ],
    },
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'supportedFeatures',
      type: '[]',
      versions: '3+',
      tag: 0,
      taggedVersions: '3+',
      fields: [
        { name: 'name', type: 'string', versions: '3+' },
        { name: 'minVersion', type: 'int16', versions: '3+' },
        { name: 'maxVersion', type: 'int16', versions: '3+' },
      ],
    },
    {
      name: 'finalizedFeaturesEpoch',
      type: 'int64',
      versions: '3+',
      tag: 1,
      taggedVersions: '3+',
      default: -1,
    },
    {
      name: 'finalizedFeatures',
      type: '[]',
      versions: '3+',
      tag: 2,
      taggedVersions: '3+',
      fields: [
        { name: 'name', type: 'string', versions: '3+' },
        { name: 'maxVersionLevel', type: 'int16', versions: '3+' },
        { name: 'minVersionLevel', type: 'int16', versions: '3+' },
      ],
    },
    { name: 'zkMigrationReady', type: 'bool', versions: '3+', tag: 3, taggedVersions: '3+', default: false },
  ],
})
