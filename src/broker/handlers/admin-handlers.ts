// The admin API handlers: topics (create, delete, grow), records (delete before an offset), configs (describe, alter) and the cluster view.
import type { Handler } from '../handler.js'
import { alterConfigs } from './alter-configs.js'
import { createPartitions } from './create-partitions.js'
import { createTopics } from './create-topics.js'
import { deleteRecords } from './delete-records.js'
import { deleteTopics } from './delete-topics.js'
import { describeLogDirs } from './describe-log-dirs.js'
import { describeProducers } from './describe-producers.js'
import { describeCluster } from './describe-cluster.js'
import { describeConfigs } from './describe-configs.js'
import { incrementalAlterConfigs } from './incremental-alter-configs.js'
import { listConfigResources } from './list-config-resources.js'

/** CreateTopics, DeleteTopics, DeleteRecords, CreatePartitions, DescribeConfigs, AlterConfigs, IncrementalAlterConfigs, DescribeCluster. */
export const adminHandlers: readonly Handler[] = [
  createTopics,
  deleteTopics,
  deleteRecords,
  describeProducers,
  describeLogDirs,
  createPartitions,
  describeConfigs,
  alterConfigs,
  incrementalAlterConfigs,
  listConfigResources,
  describeCluster,
] as readonly Handler[]
