// Everything a handler can reach: settings, time, logs, topics, partition logs, groups. Built once by
// main.ts (or the in-process test broker) and shared by all connections.
import type { Clock, Logger, LogLevels, SliceScheduler } from '../core/index.js'
import type { GroupCoordinator } from '../groups/index.js'
import type { TopicRegistry } from '../metadata/index.js'
import type { TransactionCoordinator } from '../transactions/index.js'
import type { BrokerConfig } from './broker-config.js'
import type { FetchSessionCache } from './fetch-session-cache.js'
import type { ShareCoordinator } from './share-coordinator.js'
import type { PartitionStore } from './partition-store.js'
import type { ProducerIdAllocator } from './producer-id-allocator.js'
import type { DecompressionPool } from './decompression-pool.js'

export interface BrokerContext {
  readonly config: BrokerConfig
  /** The port clients are told to use (the bound port unless advertised-port is set). */
  readonly advertisedPort: number
  readonly clusterId: string
  readonly clock: Clock
  readonly logger: Logger
  /** The logger's levels, changed at runtime by IncrementalAlterConfigs on BROKER_LOGGER resources. */
  readonly logLevels: LogLevels
  readonly topics: TopicRegistry
  readonly partitions: PartitionStore
  readonly groups: GroupCoordinator
  /** Share groups (KIP-932): membership, share-partitions, share sessions. */
  readonly shares: ShareCoordinator
  readonly producerIds: ProducerIdAllocator
  /** The transaction coordinator (transactional ids, EndTxn, the Produce check). */
  readonly transactions: TransactionCoordinator
  /** Incremental fetch sessions (KIP-227), shared by all connections. */
  readonly fetchSessions: FetchSessionCache
  /**
   * Long tasks that work in slices (Produce validation, walking stored batches, large requests and answers)
   * pause through it: one slice of all of them per turn of the event loop (#7).
   */
  readonly slices: SliceScheduler
  /** Decompressed bytes in flight across all Produce requests (#7). */
  readonly decompression: DecompressionPool
  /** The (apiKey, minVersion, maxVersion) triples ApiVersions advertises. */
  advertised(): { apiKey: number; minVersion: number; maxVersion: number }[]
}
