// Small typed wrappers over RawKafkaClient for the requests integration tests repeat: create a topic,
// produce one batch, read a whole partition back, Metadata, configs.
import assert from 'node:assert/strict'
import { ApiKey, ErrorCode } from '../../src/protocol/index.js'
import { type DecodedBatch, decodeBatch, iterateBatches } from '../../src/record-batch/index.js'
import type { RawKafkaClient } from './raw-kafka-client.js'

/** Kafka's ConfigResource type for topics. */
export const TOPIC_RESOURCE = 2

/** Creates `name` with `numPartitions` partitions and `configs`; asserts success. Returns the topic id. */
export async function createTopic(
  client: RawKafkaClient,
  name: string,
  numPartitions: number,
  configs: Record<string, string> = {},
): Promise<string> {
  const response = await client.request(ApiKey.CreateTopics, 7, {
    topics: [
      {
        name,
        numPartitions,
        replicationFactor: 1,
        assignments: [],
        configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })),
      },
    ],
    timeoutMs: 10000,
    validateOnly: false,
  })
  const topic = response.topics[0]
  assert.equal(topic.errorCode, ErrorCode.NONE, `CreateTopics ${name}: ${topic.errorMessage}`)
  return topic.topicId
}

/** One partition's answer to Produce. */
export interface ProducePartitionResponse {
  index: number
  errorCode: number
  baseOffset: number
  logStartOffset: number
  errorMessage: string | null
  recordErrors: { batchIndex: number; batchIndexErrorMessage: string | null }[]
}

/** Produces `records` (one or more concatenated batches, sent as given) to one partition; v9 by default. */
export async function producePartition(
  client: RawKafkaClient,
  topic: string,
  partition: number,
  records: Buffer,
  options: { acks?: number; version?: number } = {},
): Promise<ProducePartitionResponse> {
  const response = await client.request(
    ApiKey.Produce,
    options.version ?? 9,
    produceBody(topic, partition, records, options.acks ?? -1),
  )
  assert.equal(response.responses.length, 1)
  assert.equal(response.responses[0].partitionResponses.length, 1)
  return response.responses[0].partitionResponses[0]
}

/** The body of a Produce request for one partition. */
export function produceBody(topic: string, partition: number, records: Buffer, acks: number) {
  return {
    transactionalId: null,
    acks,
    timeoutMs: 10000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  }
}

/** A partition read by `fetchPartition`. */
export interface FetchedPartition {
  errorCode: number
  highWatermark: number
  logStartOffset: number
  /** Whole batches, each a copy of its bytes, in offset order. */
  batches: Buffer[]
}

/**
 * Fetches one partition (Fetch v12) from `fetchOffset` up to its high watermark, in as many requests as
 * needed, and returns every whole batch.
 */
export async function fetchPartition(
  client: RawKafkaClient,
  topic: string,
  partition: number,
  fetchOffset = 0,
): Promise<FetchedPartition> {
  const batches: Buffer[] = []
  let offset = fetchOffset
  for (;;) {
    const response = await client.request(ApiKey.Fetch, 12, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 8 * 1024 * 1024,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          partitions: [
            { partition, fetchOffset: offset, logStartOffset: -1, partitionMaxBytes: 4 * 1024 * 1024 },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    })
    const answer = response.responses[0].partitions[0]
    if (answer.errorCode !== ErrorCode.NONE) {
      return {
        errorCode: answer.errorCode,
        highWatermark: answer.highWatermark,
        logStartOffset: answer.logStartOffset,
        batches,
      }
    }
    const records: Buffer | null = answer.records
    let progressed = false
    if (records !== null) {
      for (const slice of iterateBatches(records)) {
        const lastOffset = slice.header.baseOffset + slice.header.lastOffsetDelta
        if (lastOffset < offset) continue
        batches.push(Buffer.from(slice.bytes))
        offset = lastOffset + 1
        progressed = true
      }
    }
    if (offset >= answer.highWatermark || !progressed) {
      return {
        errorCode: ErrorCode.NONE,
        highWatermark: answer.highWatermark,
        logStartOffset: answer.logStartOffset,
        batches,
      }
    }
  }
}

/** Decodes every fetched batch. */
export function decodeAll(batches: readonly Buffer[]): DecodedBatch[] {
  return batches.map((batch) => decodeBatch(batch))
}

/** Metadata v12 for `topics` (null: all topics), with auto-creation as given. */
export async function metadata(
  client: RawKafkaClient,
  topics: string[] | null,
  allowAutoTopicCreation = false,
): Promise<any> {
  return client.request(ApiKey.Metadata, 12, {
    topics: topics === null ? null : topics.map((name) => ({ name })),
    allowAutoTopicCreation,
    includeTopicAuthorizedOperations: false,
  })
}

/** Proves a broker answers on `client`: ApiVersions v3 lists Produce and Metadata v12 answers. */
export async function assertServes(client: RawKafkaClient): Promise<void> {
  const versions = await client.request(ApiKey.ApiVersions, 3, {
    clientSoftwareName: 'brook-it',
    clientSoftwareVersion: '1.0',
  })
  assert.equal(versions.errorCode, ErrorCode.NONE)
  assert.ok(versions.apiKeys.some((k: { apiKey: number }) => k.apiKey === ApiKey.Produce))
  const meta = await metadata(client, null)
  assert.equal(meta.brokers.length, 1)
}

/** The value of every config of a topic, by name (DescribeConfigs v4). */
export async function describeTopicConfigs(
  client: RawKafkaClient,
  topic: string,
): Promise<Map<string, { value: string | null; configSource: number }>> {
  const response = await client.request(ApiKey.DescribeConfigs, 4, {
    resources: [{ resourceType: TOPIC_RESOURCE, resourceName: topic, configurationKeys: null }],
    includeSynonyms: false,
    includeDocumentation: false,
  })
  const result = response.results[0]
  assert.equal(result.errorCode, ErrorCode.NONE, `DescribeConfigs ${topic}: ${result.errorMessage}`)
  const configs = new Map<string, { value: string | null; configSource: number }>()
  for (const c of result.configs) configs.set(c.name, { value: c.value, configSource: c.configSource })
  return configs
}
