// ListTransactions (key 66): the transactional ids a coordinator knows, filtered by state, producer id,
// running time (v1+) and an RE2 pattern on the id (v2+); used by kafka-transactions.sh list/find-hanging.
import { defineMessage } from '../schema.js'

export const ListTransactionsRequest = defineMessage({
  apiKey: 66,
  name: 'ListTransactionsRequest',
  kind: 'request',
  validVersions: '0-2',
  flexibleVersions: '0+',
  fields: [
    { name: 'stateFilters', type: '[]string', versions: '0+' },
    { name: 'producerIdFilters', type: '[]int64', versions: '0+' },
    { name: 'durationFilter', type: 'int64', versions: '1+', default: -1 },
    {
      name: 'transactionalIdPattern',
      type: 'string',
      versions: '2+',
      nullableVersions: '2+',
      default: null,
    },
  ],
})

export const ListTransactionsResponse = defineMessage({
  apiKey: 66,
  name: 'ListTransactionsResponse',
  kind: 'response',
  validVersions: '0-2',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'unknownStateFilters', type: '[]string', versions: '0+' },
    {
      name: 'transactionStates',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'transactionalId', type: 'string', versions: '0+' },
        { name: 'producerId', type: 'int64', versions: '0+' },
        { name: 'transactionState', type: 'string', versions: '0+' },
      ],
    },
  ],
})
