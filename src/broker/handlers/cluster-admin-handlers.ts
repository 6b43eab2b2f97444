// The rest of Kafka's Admin surface on one node (#9): features, leader elections, partition reassignments,
// replica log directories, client quotas, ACLs, delegation tokens, SCRAM credentials and broker and controller registrations, each answered as Kafka 4.4 answers on one node
// (docs/admin-surface.md lists every Admin method and what Brook answers).
import type { Handler } from '../handler.js'
import { createAcls, deleteAcls, describeAcls } from './acls.js'
import { alterReplicaLogDirs } from './alter-replica-log-dirs.js'
import { alterClientQuotas, describeClientQuotas } from './client-quotas.js'
import {
  alterUserScramCredentials,
  createDelegationToken,
  describeDelegationToken,
  describeUserScramCredentials,
  expireDelegationToken,
  renewDelegationToken,
} from './delegation-tokens.js'
import { electLeaders } from './elect-leaders.js'
import { updateFeatures } from './features.js'
import { alterPartitionReassignments, listPartitionReassignments } from './partition-reassignments.js'
import { unregisterBroker } from './unregister-broker.js'
import { unregisterController } from './unregister-controller.js'

export const clusterAdminHandlers: readonly Handler[] = [
  describeAcls,
  createAcls,
  deleteAcls,
  alterReplicaLogDirs,
  electLeaders,
  alterPartitionReassignments,
  listPartitionReassignments,
  describeClientQuotas,
  alterClientQuotas,
  updateFeatures,
  createDelegationToken,
  renewDelegationToken,
  expireDelegationToken,
  describeDelegationToken,
  describeUserScramCredentials,
  alterUserScramCredentials,
  unregisterBroker,
  unregisterController,
] as readonly Handler[]
