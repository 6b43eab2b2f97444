// The handler table: every API the broker serves. ApiVersions advertises exactly these.
import type { Handler } from '../handler.js'
import { addOffsetsToTxn } from './add-offsets-to-txn.js'
import { addPartitionsToTxn } from './add-partitions-to-txn.js'
import { adminHandlers } from './admin-handlers.js'
import { apiVersions } from './api-versions.js'
import { clusterAdminHandlers } from './cluster-admin-handlers.js'
import { describeQuorum } from './describe-quorum.js'
import { describeTopicPartitions } from './describe-topic-partitions.js'
import { describeTransactions } from './describe-transactions.js'
import { endTxn } from './end-txn.js'
import { fetch } from './fetch.js'
import { groupHandlers } from './group-handlers.js'
import { initProducerId } from './init-producer-id.js'
import { listOffsets } from './list-offsets.js'
import { listTransactions } from './list-transactions.js'
import { metadata } from './metadata.js'
import { offsetForLeaderEpoch } from './offset-for-leader-epoch.js'
import { produce } from './produce.js'
import { shareAcknowledge } from './share-acknowledge.js'
import { shareFetch } from './share-fetch.js'
import { shareGroupDescribe } from './share-group-describe.js'
import { shareGroupHeartbeat } from './share-group-heartbeat.js'
import {
  alterShareGroupOffsets,
  deleteShareGroupOffsets,
  describeShareGroupOffsets,
} from './share-group-offsets.js'
import { writeTxnMarkers } from './write-txn-markers.js'

export const handlers: readonly Handler[] = [
  apiVersions,
  metadata,
  describeTopicPartitions,
  produce,
  fetch,
  listOffsets,
  offsetForLeaderEpoch,
  describeQuorum,
  initProducerId,
  addPartitionsToTxn,
  addOffsetsToTxn,
  endTxn,
  writeTxnMarkers,
  describeTransactions,
  listTransactions,
  ...adminHandlers,
  ...clusterAdminHandlers,
  ...groupHandlers,
  shareGroupHeartbeat,
  shareGroupDescribe,
  shareFetch,
  shareAcknowledge,
  describeShareGroupOffsets,
  alterShareGroupOffsets,
  deleteShareGroupOffsets,
] as readonly Handler[]
