// DescribeLogDirs (kafka-log-dirs.sh, Admin.describeLogDirs): Brook's one log directory (as Kafka's, the
// absolute path of the directory holding the partition directories: <data dir>/logs), the size on disk of
// each partition asked for (all when the topic list is null) and, from v4, its volume's total and usable bytes.
// One node has no replicas to catch up and no future logs: the offset lag is 0 and isFutureKey false.
import path from 'node:path'
import { DescribeLogDirsRequest, DescribeLogDirsResponse, ErrorCode } from '../../protocol/index.js'
import type { BrokerContext } from '../broker-context.js'
import { defineHandler } from '../handler.js'

interface PartitionAnswer {
  partitionIndex: number
  partitionSize: number
  offsetLag: number
  isFutureKey: boolean
}

/** The partitions asked for, by topic, without repeats; null asks for every partition. */
function wanted(
  broker: BrokerContext,
  topics: readonly { topic: string; partitions: readonly number[] }[] | null,
): Map<string, Set<number>> {
  const byTopic = new Map<string, Set<number>>()
  if (topics === null) {
    for (const meta of broker.topics.topics()) {
      const partitions = new Set<number>()
      for (let p = 0; p < meta.partitionCount; p++) partitions.add(p)
      byTopic.set(meta.name, partitions)
    }
    return byTopic
  }
  for (const { topic, partitions } of topics) {
    let set = byTopic.get(topic)
    if (set === undefined) byTopic.set(topic, (set = new Set()))
    for (const p of partitions) set.add(p)
  }
  return byTopic
}

export const describeLogDirs = defineHandler({
  request: DescribeLogDirsRequest,
  response: DescribeLogDirsResponse,
  versions: { min: 0, max: 5 },
  async handle(request, context) {
    const { broker } = context
    const logDir = path.resolve(broker.partitions.logsDir)
    let space: { totalBytes: number; usableBytes: number }
    try {
      space = await broker.partitions.volumeSpace()
    } catch (error) {
      // As Kafka for an offline log directory: the directory with an error and no topics.
      broker.logger.error('DescribeLogDirs: cannot read the log directory volume', { logDir, error })
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        results: [{ errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir, topics: [] }],
      }
    }
    const topics = []
    // Partitions that do not exist on this broker are left out, as Kafka does.
    for (const [name, partitionIndexes] of wanted(broker, request.topics)) {
      const partitions: PartitionAnswer[] = []
      for (const partitionIndex of [...partitionIndexes].sort((a, b) => a - b)) {
        const log = await broker.partitions.log(name, partitionIndex)
        if (log === undefined) continue
        partitions.push({ partitionIndex, partitionSize: log.sizeBytes, offsetLag: 0, isFutureKey: false })
      }
      if (partitions.length > 0) topics.push({ name, partitions })
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: [{ errorCode: ErrorCode.NONE, logDir, topics, ...space }],
    }
  },
})
