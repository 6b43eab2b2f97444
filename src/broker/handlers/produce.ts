// Produce: validate each partition's batch, check idempotent sequences, assign offsets, append, and
// acknowledge per acks: 0 no response, 1 once written to the file, -1 once a group-committed fdatasync
// covers it. Versions 0-2 are advertised for librdkafka's feature probes and answered with an error. v12
// (transaction version 2) adds a transactional batch's partition to its transaction (KIP-890).
import { ErrorCode, ProduceRequest, ProduceResponse, ZERO_UUID } from '../../protocol/index.js'
import {
  Compression,
  type CompressionCodec,
  isCodecAvailable,
  type ProduceValidationResult,
  type RecordError,
  recompressBatchAsync,
  setLogAppendTime,
  TOPIC_COMPRESSION_CODECS,
  type DecompressionBudget,
  setPartitionLeaderEpoch,
  validateProducedBatchesAsync,
  ValidationPacer,
} from '../../record-batch/index.js'
import { brookChannels } from '../../core/index.js'
import { CLOSE_CONNECTION, defineHandler } from '../handler.js'
import type { BrokerContext } from '../broker-context.js'

interface PartitionResult {
  index: number
  errorCode: number
  baseOffset: number
  logAppendTimeMs: number
  logStartOffset: number
  errorMessage: string | null
  recordErrors: { batchIndex: number; batchIndexErrorMessage: string | null }[]
}

function failed(index: number, errorCode: number, errorMessage: string | null = null): PartitionResult {
  return {
    index,
    errorCode,
    baseOffset: -1,
    logAppendTimeMs: -1,
    logStartOffset: -1,
    errorMessage,
    recordErrors: [],
  }
}

async function producePartition(
  broker: BrokerContext,
  topicName: string,
  index: number,
  records: Buffer | null,
  version: number,
  durable: Promise<void>[],
  written: Promise<void>[],
  acks: number,
  budget: DecompressionBudget,
  pacer: ValidationPacer,
): Promise<PartitionResult> {
  const log = await broker.partitions.log(topicName, index)
  const settings = broker.partitions.settings(topicName)
  if (log === undefined || settings === undefined) return failed(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  const nowMs = broker.clock.nowMs()
  const logAppendTime = settings.messageTimestampType === 'LogAppendTime'
  // Every record is checked, as Kafka does; decompression draws on the request's budget, and the work of
  // all the request's partitions yields to the event loop between slices so that one request cannot stall
  // the others.
  // Topic compression.type other than `producer`: stored in the topic's codec, as Kafka does.
  const topicCodec = TOPIC_COMPRESSION_CODECS[settings.compressionType]
  const validation = await validateProducedBatchesAsync(
    records,
    {
      keepDecoded: topicCodec !== undefined,
      produceVersion: version,
      maxMessageBytes: settings.maxMessageBytes,
      compacted: settings.cleanupPolicyCompact,
      logAppendTime,
      nowMs,
      timestampBeforeMaxMs: settings.messageTimestampBeforeMaxMs,
      timestampAfterMaxMs: settings.messageTimestampAfterMaxMs,
    },
    budget,
    pacer,
  )
  try {
    return await appendValidated(broker, log, topicName, index, records, validation, topicCodec, {
      version,
      nowMs,
      durable,
      written,
      acks,
      pacer,
    })
  } finally {
    validation.release?.()
  }
}

/** What `appendValidated` needs of the request. */
interface AppendContext {
  version: number
  nowMs: number
  durable: Promise<void>[]
  written: Promise<void>[]
  acks: number
  pacer: ValidationPacer
}

/** Appends a validated batch (recompressed first when the topic's codec differs) and arranges its ack. */
async function appendValidated(
  broker: BrokerContext,
  log: NonNullable<Awaited<ReturnType<BrokerContext['partitions']['log']>>>,
  topicName: string,
  index: number,
  records: Buffer | null,
  validation: ProduceValidationResult,
  topicCodec: CompressionCodec | undefined,
  request: AppendContext,
): Promise<PartitionResult> {
  const { version, nowMs, durable, written, acks, pacer } = request
  const settings = broker.partitions.settings(topicName)
  if (settings === undefined) return failed(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  const logAppendTime = settings.messageTimestampType === 'LogAppendTime'
  if (validation.errorCode !== ErrorCode.NONE || validation.batch === null || records === null) {
    const result = failed(index, validation.errorCode, validation.errorMessage)
    result.recordErrors = validation.recordErrors.map((e: RecordError) => ({
      batchIndex: e.batchIndex,
      batchIndexErrorMessage: e.message,
    }))
    return result
  }
  const batch = validation.batch
  if (batch.isTransactional) {
    // Only into a partition of the producer's ongoing transaction (Produce v12+: added implicitly, KIP-890).
    const code = await broker.transactions.checkProduce({
      producerId: batch.producerId,
      producerEpoch: batch.producerEpoch,
      topic: topicName,
      partition: index,
      implicitAdd: version >= 12,
    })
    if (code !== ErrorCode.NONE) return failed(index, code)
  }
  // The stored batch is the client's bytes; only fields outside the CRC, and for LogAppendTime topics the
  // timestamp (with a new CRC), are rewritten. It is copied out of the request frame when it is a small
  // part of the memory behind it, so that the log's in-memory tail does not pin whole request buffers or
  // socket chunks; a batch that is most of its frame (one large batch per request) is kept as is.
  let stored = records.length * 2 >= records.buffer.byteLength ? records : Buffer.from(records)
  if (topicCodec !== undefined && topicCodec !== batch.codec) {
    if (!isCodecAvailable(topicCodec))
      return failed(
        index,
        ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
        `${settings.compressionType} is not available`,
      )
    try {
      // Off the event loop (gzip 100 MiB of records took 0.76 s in one turn): from the records the
      // validation already decoded, with pauses as the request's other work (#7).
      // At the topic's level for the codec (compression.gzip.level, compression.zstd.level), as Kafka does.
      stored = await recompressBatchAsync(
        stored,
        topicCodec,
        validation.decoded ?? Buffer.alloc(0),
        () => pacer.pause(),
        topicCodec === Compression.gzip
          ? settings.compressionGzipLevel
          : topicCodec === Compression.zstd
            ? settings.compressionZstdLevel
            : undefined,
      )
    } catch (error) {
      return failed(index, ErrorCode.CORRUPT_MESSAGE, error instanceof Error ? error.message : String(error))
    }
    if (stored.length > settings.maxMessageBytes)
      return failed(
        index,
        ErrorCode.MESSAGE_TOO_LARGE,
        `the batch is ${stored.length} bytes in ${settings.compressionType}, over max.message.bytes`,
      )
  }
  setPartitionLeaderEpoch(stored, 0)
  let logAppendTimeMs = -1
  let maxTimestamp = batch.maxTimestamp
  if (logAppendTime) {
    setLogAppendTime(stored, nowMs)
    logAppendTimeMs = nowMs
    maxTimestamp = nowMs
  }
  if (log.deleted) return failed(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  // Storage checks an idempotent producer's sequence and records it in the same call.
  const outcome = log.append({ batch: stored, recordsCount: batch.recordsCount, maxTimestamp })
  switch (outcome.status) {
    case 'outOfOrder':
      return failed(
        index,
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        `expected sequence ${outcome.expectedSequence}, got ${batch.baseSequence}`,
      )
    case 'invalidEpoch':
      return failed(
        index,
        ErrorCode.INVALID_PRODUCER_EPOCH,
        `producer epoch ${batch.producerEpoch} is older than ${outcome.currentEpoch}`,
      )
    case 'invalidTxnState':
      return failed(
        index,
        ErrorCode.INVALID_TXN_STATE,
        `producer ${batch.producerId} has an open transaction on this partition: its batches must be transactional`,
      )
    case 'duplicate':
      // A retry of a batch already in the log: answered with the offsets it got the first time.
      logAppendTimeMs = -1
      break
  }
  if (outcome.status !== 'duplicate' && brookChannels.recordsIn.hasSubscribers)
    brookChannels.recordsIn.publish({ topic: topicName, records: batch.recordsCount, bytes: stored.length })
  const { baseOffset, lastOffset } = outcome
  const result: PartitionResult = {
    index,
    errorCode: ErrorCode.NONE,
    baseOffset,
    logAppendTimeMs,
    logStartOffset: log.logStartOffset,
    errorMessage: null,
    recordErrors: [],
  }
  // A partition deleted with its topic before the write: its answer is UNKNOWN_TOPIC_OR_PARTITION (#7);
  // any other failure of the log is a storage error.
  const answerFailure = (error: unknown) => {
    if (!log.deleted) broker.logger.error('flush failed', { topic: topicName, partition: index, error })
    Object.assign(
      result,
      failed(index, log.deleted ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.KAFKA_STORAGE_ERROR),
    )
  }
  if (acks === -1) durable.push(log.waitDurable(lastOffset + 1).catch(answerFailure))
  else if (acks === 1) written.push(log.waitWritten(lastOffset + 1).catch(answerFailure))
  return result
}

export const produce = defineHandler({
  request: ProduceRequest,
  response: ProduceResponse,
  // v13 (KIP-516) names topics by id; nothing else changed.
  versions: { min: 0, max: 13 },
  async handle(request, context) {
    const { broker } = context
    const version = context.header.apiVersion
    const acks = request.acks
    const durable: Promise<void>[] = []
    const written: Promise<void>[] = []
    const budget: DecompressionBudget = {
      bytesLeft: broker.config.produceDecompressedBytesMax,
      reserve: (bytes) => broker.decompression.reserve(bytes),
    }
    const pacer = new ValidationPacer(() => broker.slices.turn())
    // The append phase runs in request order per connection: a request waiting for a partition log to
    // open must not be overtaken by the next pipelined one, or an idempotent producer's sequences arrive
    // out of order (Kafka handles one request per connection at a time).
    const { responses } = await context.session.sequence(async () => {
      const responses = []
      for (const topic of request.topicData) {
        // v13 names topics by id (Kafka 4.1+); an id this broker does not know is UNKNOWN_TOPIC_ID.
        const meta = version >= 13 ? broker.topics.topicById(topic.topicId) : broker.topics.topic(topic.name)
        const partitionResponses: PartitionResult[] = []
        for (const partition of topic.partitionData) {
          // A request of many partitions yields between slices even when each partition is cheap (#7).
          if (pacer.spendPartition()) await pacer.pause()
          let result: PartitionResult
          if (version < 3) {
            // Kafka 4 no longer accepts message formats 0 and 1 that these versions carry.
            result = failed(
              partition.index,
              ErrorCode.UNSUPPORTED_VERSION,
              'Produce v0-2 is not supported; use v3 or later',
            )
          } else if (acks !== 0 && acks !== 1 && acks !== -1) {
            result = failed(partition.index, ErrorCode.INVALID_REQUIRED_ACKS)
          } else if (meta === undefined) {
            result = failed(
              partition.index,
              version >= 13 ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            )
          } else {
            try {
              result = await producePartition(
                broker,
                meta.name,
                partition.index,
                partition.records as Buffer | null,
                version,
                durable,
                written,
                acks,
                budget,
                pacer,
              )
            } catch (error) {
              broker.logger.error('append failed', { topic: meta.name, partition: partition.index, error })
              result = failed(
                partition.index,
                ErrorCode.KAFKA_STORAGE_ERROR,
                'the partition log could not be written',
              )
            }
          }
          partitionResponses.push(result)
        }
        responses.push({
          name: topic.name,
          topicId: meta?.topicId ?? topic.topicId ?? ZERO_UUID,
          partitionResponses,
        })
      }
      return { responses }
    })
    if (acks === 0) {
      const failedAny = responses.some((topic) =>
        topic.partitionResponses.some((p) => p.errorCode !== ErrorCode.NONE),
      )
      return failedAny ? CLOSE_CONNECTION : null
    }
    try {
      await Promise.all(acks === -1 ? durable : written)
    } catch (error) {
      broker.logger.error('flush failed', { error })
      for (const topic of responses) {
        for (const p of topic.partitionResponses) {
          if (p.errorCode === ErrorCode.NONE) Object.assign(p, failed(p.index, ErrorCode.KAFKA_STORAGE_ERROR))
        }
      }
    }
    return { responses, throttleTimeMs: 0 }
  },
})
