// WriteTxnMarkers (key 27): write commit or abort markers into partitions. Kafka's coordinator sends it
// to partition leaders; the Admin client sends it to abort a hanging transaction (kafka-transactions.sh
// abort). v0 is the same without flexible encoding (Kafka 4 no longer takes it); v2 adds the transaction
// version the markers belong to.
import { defineMessage } from '../schema.js'

export const WriteTxnMarkersRequest = defineMessage({
  apiKey: 27,
  name: 'WriteTxnMarkersRequest',
  kind: 'request',
  validVersions: '0-2',
  flexibleVersions: '1+',
  fields: [
    {
      name: 'markers',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'producerId', type: 'int64', versions: '0+' },
        { name: 'producerEpoch', type: 'int16', versions: '0+' },
        { name: 'transactionResult', type: 'bool', versions: '0+' },
        {
          name: 'topics',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            { name: 'partitionIndexes', type: '[]int32', versions: '0+' },
          ],
        },
        { name: 'coordinatorEpoch', type: 'int32', versions: '0+' },
        { name: 'transactionVersion', type: 'int8', versions: '2+', default: 0 },
      ],
    },
  ],
})

export const WriteTxnMarkersResponse = defineMessage({
  apiKey: 27,
  name: 'WriteTxnMarkersResponse',
  kind: 'response',
  validVersions: '0-2',
  flexibleVersions: '1+',
  fields: [
    {
      name: 'markers',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'producerId', type: 'int64', versions: '0+' },
        {
          name: 'topics',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            {
              name: 'partitions',
              type: '[]',
              versions: '0+',
              fields: [
                { name: 'partitionIndex', type: 'int32', versions: '0+' },
                { name: 'errorCode', type: 'int16', versions: '0+' },
              ],
            },
          ],
        },
      ],
    },
  ],
})
