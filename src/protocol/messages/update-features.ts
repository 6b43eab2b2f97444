// UpdateFeatures (key 57): change finalized feature levels (KIP-584). v1 replaces allowDowngrade with an
// upgrade type and adds validateOnly (KIP-778); v2 drops the per-feature results (one error for all).
import { defineMessage } from '../schema.js'

export const UpdateFeaturesRequest = defineMessage({
  apiKey: 57,
  name: 'UpdateFeaturesRequest',
  kind: 'request',
  validVersions: '0-2',
  flexibleVersions: '0+',
  fields: [
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
    {
      name: 'featureUpdates',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'feature', type: 'string', versions: '0+' },
        { name: 'maxVersionLevel', type: 'int16', versions: '0+' },
        { name: 'allowDowngrade', type: 'bool', versions: '0' },
        { name: 'upgradeType', type: 'int8', versions: '1+', default: 1 },
      ],
    },
    { name: 'validateOnly', type: 'bool', versions: '1+', default: false },
  ],
})

export const UpdateFeaturesResponse = defineMessage({
  apiKey: 57,
  name: 'UpdateFeaturesResponse',
  kind: 'response',
  validVersions: '0-2',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    {
      name: 'results',
      type: '[]',
      versions: '0-1',
      fields: [
        { name: 'feature', type: 'string', versions: '0-1' },
        { name: 'errorCode', type: 'int16', versions: '0-1' },
        { name: 'errorMessage', type: 'string', versions: '0-1', nullableVersions: '0-1', default: null },
      ],
    },
  ],
})
