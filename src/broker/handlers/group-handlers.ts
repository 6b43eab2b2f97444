// The consumer-group API handlers: coordinator lookup, the classic protocol, KIP-848, committed offsets
// and group administration. All of them delegate to context.broker.groups.
import type { Handler } from '../handler.js'
import { consumerGroupDescribe } from './consumer-group-describe.js'
import { consumerGroupHeartbeat } from './consumer-group-heartbeat.js'
import { deleteGroups } from './delete-groups.js'
import { describeGroups } from './describe-groups.js'
import { findCoordinator } from './find-coordinator.js'
import { heartbeat } from './heartbeat.js'
import { joinGroup } from './join-group.js'
import { leaveGroup } from './leave-group.js'
import { listGroups } from './list-groups.js'
import { offsetCommit } from './offset-commit.js'
import { offsetDelete } from './offset-delete.js'
import { offsetFetch } from './offset-fetch.js'
import { syncGroup } from './sync-group.js'
import { txnOffsetCommit } from './txn-offset-commit.js'

/** FindCoordinator, Join/Sync/Heartbeat/LeaveGroup, OffsetCommit/Fetch/Delete, TxnOffsetCommit,
 * List/Describe/DeleteGroups, ConsumerGroupHeartbeat and ConsumerGroupDescribe. */
export const groupHandlers: readonly Handler[] = [
  findCoordinator,
  joinGroup,
  syncGroup,
  heartbeat,
  leaveGroup,
  offsetCommit,
  offsetFetch,
  offsetDelete,
  txnOffsetCommit,
  listGroups,
  describeGroups,
  deleteGroups,
  consumerGroupHeartbeat,
  consumerGroupDescribe,
] as readonly Handler[]
