// DescribeTransactions (key 65): the coordinator's view of transactional ids (state, producer, timeout,
// start time and the partitions in the transaction); used by kafka-transactions.sh describe.
import { defineMessage } from '../schema.js'

export const DescribeTransactionsRequest = defineMessage({
  apiKey: 65,
  name: 'DescribeTransactionsRequest',
  kind: 'request',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [{ name: 'transactionalIds', type: '[]string', versions: '0+' }],
})

export const DescribeTransactionsResponse = defineMessage({
  apiKey: 65,
  name: 'DescribeTransactionsResponse',
  kind: 'response',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'transactionStates',
      type: '[]',
      versions: '0+',
      fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'transactionalId', type: 'string', versions: '0+' },
        { name: 'transactionState', type: 'string', versions: '0+' },
        { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
        { name: 'transactionStartTimeMs', type: 'int64', versions: '0+' },
        { name: 'producerId', type: 'int64', versions: '0+' },
        { name: 'producerEpoch', type: 'int16', versions: '0+' },
        {
          name: 'topics',
          type: '[]',
          versions: '0+',
          fields: [
            { name: 'topic', type: 'string', versions: '0+' },
            { name: 'partitions', type: '[]int32', versions: '0+' },
          ],
        },
      ],
    },
  ],
})
