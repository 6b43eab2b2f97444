// AlterReplicaLogDirs (kafka-reassign-partitions.sh with log dirs, Admin.alterReplicaLogDirs): Brook has one
// log directory (the one DescribeLogDirs names). Moving a replica to it is valid and changes nothing; any
// other path is LOG_DIR_NOT_FOUND, as Kafka answers a directory not in its log.dirs.
import path from 'node:path'
import { AlterReplicaLogDirsRequest, AlterReplicaLogDirsResponse, ErrorCode } from '../../protocol/index.js'
import { defineHandler } from '../handler.js'

export const alterReplicaLogDirs = defineHandler({
  request: AlterReplicaLogDirsRequest,
  response: AlterReplicaLogDirsResponse,
  versions: { min: 1, max: 2 },
  handle(request, context) {
    const logDir = path.resolve(context.broker.partitions.logsDir)
    const results = []
    for (const dir of request.dirs) {
      // Kafka compares canonical paths; a relative path is relative to the broker's working directory.
      const errorCode = path.resolve(dir.path) === logDir ? ErrorCode.NONE : ErrorCode.LOG_DIR_NOT_FOUND
      for (const topic of dir.topics)
        results.push({
          topicName: topic.name,
          partitions: topic.partitions.map((partitionIndex) => ({ partitionIndex, errorCode })),
        })
    }
    return { throttleTimeMs: 0, results }
  },
})
