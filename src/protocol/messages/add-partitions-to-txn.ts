// AddPartitionsToTxn (key 24): a transactional producer names the partitions it will write before it
// writes them (v0-3, one transaction); v4+ carry a batch of transactions and a verify-only flag (brokers).
import { defineMessage } from '../schema.js'

export const AddPartitionsToTxnRequest = defineMessage({
  apiKey: 24,
  name: 'AddPartitionsToTxnRequest',
  kind: 'request',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    {
      name: 'transactions',
      type: '[]',
      versions: '4+',
      fields: [
        { name: 'transactionalId', type: 'string', versions: '4+' },
        { name: 'producerId', type: 'int64', versions: '4+' },
        { name: 'producerEpoch', type: 'int16', versions: '4+' },
        { name: 'verifyOnly', type: 'bool', versions: '4+', default: false },
        {
          name: 'topics',
          type: '[]',
          versions: '4+',
          fields: [
            { name: 'name', type: 'string', versions: '4+' },
            { name: 'partitions', type: '[]int32', versions: '4+' },
          ],
        },
      ],
    },
    { name: 'v3AndBelowTransactionalId', type: 'string', versions: '0-3', default: '' },
    { name: 'v3AndBelowProducerId', type: 'int64', versions: '0-3', default: -1 },
    { name: 'v3AndBelowProducerEpoch', type: 'int16', versions: '0-3', default: -1 },
    {
      name: 'v3AndBelowTopics',
      type: '[]',
      versions: '0-3',
      fields: [
        { name: 'name', type: 'string', versions: '0-3' },
        { name: 'partitions', type: '[]int32', versions: '0-3' },
      ],
    },
  ],
})

export const AddPartitionsToTxnResponse = defineMessage({
  apiKey: 24,
  name: 'AddPartitionsToTxnResponse',
  kind: 'response',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '4+', default: 0 },
    {
      name: 'resultsByTransaction',
      type: '[]',
      versions: '4+',
      fields: [
        { name: 'transactionalId', type: 'string', versions: '4+' },
        {
          name: 'topicResults',
          type: '[]',
          versions: '4+',
          fields: [
            { name: 'name', type: 'string', versions: '4+' },
            {
              name: 'resultsByPartition',
              type: '[]',
              versions: '4+',
              fields: [
                { name: 'partitionIndex', type: 'int32', versions: '4+' },
                { name: 'partitionErrorCode', type: 'int16', versions: '4+' },
              ],
            },
          ],
        },
      ],
    },
    {
      name: 'resultsByTopicV3AndBelow',
      type: '[]',
      versions: '0-3',
      fields: [
        { name: 'name', type: 'string', versions: '0-3' },
        {
          name: 'resultsByPartition',
          type: '[]',
          versions: '0-3',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0-3' },
            { name: 'partitionErrorCode', type: 'int16', versions: '0-3' },
          ],
        },
      ],
    },
  ],
})
