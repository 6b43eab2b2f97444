// Every message definition, and apiMessages: the (key, request, response) table that the codec, the broker
// and the tests iterate over.

import { ProduceRequest, ProduceResponse } from './produce.js'
import { FetchRequest, FetchResponse } from './fetch.js'
import { ListOffsetsRequest, ListOffsetsResponse } from './list-offsets.js'
import { MetadataRequest, MetadataResponse } from './metadata.js'
import { OffsetCommitRequest, OffsetCommitResponse } from './offset-commit.js'
import { OffsetFetchRequest, OffsetFetchResponse } from './offset-fetch.js'
import { FindCoordinatorRequest, FindCoordinatorResponse } from './find-coordinator.js'
import { JoinGroupRequest, JoinGroupResponse } from './join-group.js'
import { HeartbeatRequest, HeartbeatResponse } from './heartbeat.js'
import { LeaveGroupRequest, LeaveGroupResponse } from './leave-group.js'
import { SyncGroupRequest, SyncGroupResponse } from './sync-group.js'
import { DescribeGroupsRequest, DescribeGroupsResponse } from './describe-groups.js'
import { ListGroupsRequest, ListGroupsResponse } from './list-groups.js'
import { SaslHandshakeRequest, SaslHandshakeResponse } from './sasl-handshake.js'
import { ApiVersionsRequest, ApiVersionsResponse } from './api-versions.js'
import { CreateTopicsRequest, CreateTopicsResponse } from './create-topics.js'
import { DeleteTopicsRequest, DeleteTopicsResponse } from './delete-topics.js'
import { DeleteRecordsRequest, DeleteRecordsResponse } from './delete-records.js'
import { InitProducerIdRequest, InitProducerIdResponse } from './init-producer-id.js'
import { OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse } from './offset-for-leader-epoch.js'
import { DescribeQuorumRequest, DescribeQuorumResponse } from './describe-quorum.js'
import { UnregisterControllerRequest, UnregisterControllerResponse } from './unregister-controller.js'
import { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from './txn-offset-commit.js'
import { DescribeConfigsRequest, DescribeConfigsResponse } from './describe-configs.js'
import { AlterConfigsRequest, AlterConfigsResponse } from './alter-configs.js'
import { DescribeLogDirsRequest, DescribeLogDirsResponse } from './describe-log-dirs.js'
import { SaslAuthenticateRequest, SaslAuthenticateResponse } from './sasl-authenticate.js'
import { CreatePartitionsRequest, CreatePartitionsResponse } from './create-partitions.js'
import { DeleteGroupsRequest, DeleteGroupsResponse } from './delete-groups.js'
import {
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
} from './incremental-alter-configs.js'
import { OffsetDeleteRequest, OffsetDeleteResponse } from './offset-delete.js'
import { DescribeClusterRequest, DescribeClusterResponse } from './describe-cluster.js'
import { DescribeProducersRequest, DescribeProducersResponse } from './describe-producers.js'
import { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse } from './add-partitions-to-txn.js'
import { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from './add-offsets-to-txn.js'
import { EndTxnRequest, EndTxnResponse } from './end-txn.js'
import { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from './write-txn-markers.js'
import { DescribeTransactionsRequest, DescribeTransactionsResponse } from './describe-transactions.js'
import { ListTransactionsRequest, ListTransactionsResponse } from './list-transactions.js'
import { ListConfigResourcesRequest, ListConfigResourcesResponse } from './list-config-resources.js'
import { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from './consumer-group-heartbeat.js'
import { ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse } from './consumer-group-describe.js'
import {
  DescribeTopicPartitionsRequest,
  DescribeTopicPartitionsResponse,
} from './describe-topic-partitions.js'
import { ShareGroupHeartbeatRequest, ShareGroupHeartbeatResponse } from './share-group-heartbeat.js'
import { ShareGroupDescribeRequest, ShareGroupDescribeResponse } from './share-group-describe.js'
import { ShareFetchRequest, ShareFetchResponse } from './share-fetch.js'
import { ShareAcknowledgeRequest, ShareAcknowledgeResponse } from './share-acknowledge.js'
import {
  DescribeShareGroupOffsetsRequest,
  DescribeShareGroupOffsetsResponse,
} from './describe-share-group-offsets.js'
import { AlterShareGroupOffsetsRequest, AlterShareGroupOffsetsResponse } from './alter-share-group-offsets.js'
import {
  DeleteShareGroupOffsetsRequest,
  DeleteShareGroupOffsetsResponse,
} from './delete-share-group-offsets.js'

import {
  CreateAclsRequest,
  CreateAclsResponse,
  DeleteAclsRequest,
  DeleteAclsResponse,
  DescribeAclsRequest,
  DescribeAclsResponse,
} from './acls.js'
import { AlterReplicaLogDirsRequest, AlterReplicaLogDirsResponse } from './alter-replica-log-dirs.js'
import { ElectLeadersRequest, ElectLeadersResponse } from './elect-leaders.js'
import {
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse,
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponse,
} from './partition-reassignments.js'
import {
  AlterClientQuotasRequest,
  AlterClientQuotasResponse,
  DescribeClientQuotasRequest,
  DescribeClientQuotasResponse,
} from './client-quotas.js'
import { UpdateFeaturesRequest, UpdateFeaturesResponse } from './update-features.js'
import {
  CreateDelegationTokenRequest,
  CreateDelegationTokenResponse,
  DescribeDelegationTokenRequest,
  DescribeDelegationTokenResponse,
  ExpireDelegationTokenRequest,
  ExpireDelegationTokenResponse,
  RenewDelegationTokenRequest,
  RenewDelegationTokenResponse,
} from './delegation-tokens.js'
import {
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponse,
  DescribeUserScramCredentialsRequest,
  DescribeUserScramCredentialsResponse,
} from './scram-credentials.js'
import { UnregisterBrokerRequest, UnregisterBrokerResponse } from './unregister-broker.js'
export {
  CreateDelegationTokenRequest,
  CreateDelegationTokenResponse,
  RenewDelegationTokenRequest,
  RenewDelegationTokenResponse,
  ExpireDelegationTokenRequest,
  ExpireDelegationTokenResponse,
  DescribeDelegationTokenRequest,
  DescribeDelegationTokenResponse,
  DescribeUserScramCredentialsRequest,
  DescribeUserScramCredentialsResponse,
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponse,
  UnregisterBrokerRequest,
  UnregisterBrokerResponse,
  DescribeAclsRequest,
  DescribeAclsResponse,
  CreateAclsRequest,
  CreateAclsResponse,
  DeleteAclsRequest,
  DeleteAclsResponse,
  AlterReplicaLogDirsRequest,
  AlterReplicaLogDirsResponse,
  ElectLeadersRequest,
  ElectLeadersResponse,
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse,
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponse,
  DescribeClientQuotasRequest,
  DescribeClientQuotasResponse,
  AlterClientQuotasRequest,
  AlterClientQuotasResponse,
  UpdateFeaturesRequest,
  UpdateFeaturesResponse,
  ProduceRequest,
  ProduceResponse,
  FetchRequest,
  FetchResponse,
  ListOffsetsRequest,
  ListOffsetsResponse,
  MetadataRequest,
  MetadataResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  SyncGroupRequest,
  SyncGroupResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  ListGroupsRequest,
  ListGroupsResponse,
  SaslHandshakeRequest,
  SaslHandshakeResponse,
  ApiVersionsRequest,
  ApiVersionsResponse,
  CreateTopicsRequest,
  CreateTopicsResponse,
  DeleteTopicsRequest,
  DeleteTopicsResponse,
  DeleteRecordsRequest,
  DeleteRecordsResponse,
  DescribeLogDirsRequest,
  DescribeLogDirsResponse,
  InitProducerIdRequest,
  InitProducerIdResponse,
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
  DescribeQuorumRequest,
  DescribeQuorumResponse,
  UnregisterControllerRequest,
  UnregisterControllerResponse,
  TxnOffsetCommitRequest,
  TxnOffsetCommitResponse,
  DescribeConfigsRequest,
  DescribeConfigsResponse,
  AlterConfigsRequest,
  AlterConfigsResponse,
  SaslAuthenticateRequest,
  SaslAuthenticateResponse,
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  DescribeClusterRequest,
  DescribeClusterResponse,
  DescribeProducersRequest,
  DescribeProducersResponse,
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
  AddOffsetsToTxnRequest,
  AddOffsetsToTxnResponse,
  EndTxnRequest,
  EndTxnResponse,
  WriteTxnMarkersRequest,
  WriteTxnMarkersResponse,
  DescribeTransactionsRequest,
  DescribeTransactionsResponse,
  ListTransactionsRequest,
  ListTransactionsResponse,
  ListConfigResourcesRequest,
  ListConfigResourcesResponse,
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponse,
  ConsumerGroupDescribeRequest,
  ConsumerGroupDescribeResponse,
  DescribeTopicPartitionsRequest,
  DescribeTopicPartitionsResponse,
  ShareGroupHeartbeatRequest,
  ShareGroupHeartbeatResponse,
  ShareGroupDescribeRequest,
  ShareGroupDescribeResponse,
  ShareFetchRequest,
  ShareFetchResponse,
  ShareAcknowledgeRequest,
  ShareAcknowledgeResponse,
  DescribeShareGroupOffsetsRequest,
  DescribeShareGroupOffsetsResponse,
  AlterShareGroupOffsetsRequest,
  AlterShareGroupOffsetsResponse,
  DeleteShareGroupOffsetsRequest,
  DeleteShareGroupOffsetsResponse,
}

/** Every API with a definition here, in API-key order; request and response share their validVersions. */
export const apiMessages = [
  { apiKey: 0, name: 'Produce', request: ProduceRequest, response: ProduceResponse },
  { apiKey: 1, name: 'Fetch', request: FetchRequest, response: FetchResponse },
  { apiKey: 2, name: 'ListOffsets', request: ListOffsetsRequest, response: ListOffsetsResponse },
  { apiKey: 3, name: 'Metadata', request: MetadataRequest, response: MetadataResponse },
  { apiKey: 8, name: 'OffsetCommit', request: OffsetCommitRequest, response: OffsetCommitResponse },
  { apiKey: 9, name: 'OffsetFetch', request: OffsetFetchRequest, response: OffsetFetchResponse },
  { apiKey: 10, name: 'FindCoordinator', request: FindCoordinatorRequest, response: FindCoordinatorResponse },
  { apiKey: 11, name: 'JoinGroup', request: JoinGroupRequest, response: JoinGroupResponse },
  { apiKey: 12, name: 'Heartbeat', request: HeartbeatRequest, response: HeartbeatResponse },
  { apiKey: 13, name: 'LeaveGroup', request: LeaveGroupRequest, response: LeaveGroupResponse },
  { apiKey: 14, name: 'SyncGroup', request: SyncGroupRequest, response: SyncGroupResponse },
  { apiKey: 15, name: 'DescribeGroups', request: DescribeGroupsRequest, response: DescribeGroupsResponse },
  { apiKey: 16, name: 'ListGroups', request: ListGroupsRequest, response: ListGroupsResponse },
  { apiKey: 17, name: 'SaslHandshake', request: SaslHandshakeRequest, response: SaslHandshakeResponse },
  { apiKey: 18, name: 'ApiVersions', request: ApiVersionsRequest, response: ApiVersionsResponse },
  { apiKey: 19, name: 'CreateTopics', request: CreateTopicsRequest, response: CreateTopicsResponse },
  { apiKey: 20, name: 'DeleteTopics', request: DeleteTopicsRequest, response: DeleteTopicsResponse },
  { apiKey: 21, name: 'DeleteRecords', request: DeleteRecordsRequest, response: DeleteRecordsResponse },
  { apiKey: 22, name: 'InitProducerId', request: InitProducerIdRequest, response: InitProducerIdResponse },
  {
    apiKey: 23,
    name: 'OffsetForLeaderEpoch',
    request: OffsetForLeaderEpochRequest,
    response: OffsetForLeaderEpochResponse,
  },
  {
    apiKey: 24,
    name: 'AddPartitionsToTxn',
    request: AddPartitionsToTxnRequest,
    response: AddPartitionsToTxnResponse,
  },
  { apiKey: 25, name: 'AddOffsetsToTxn', request: AddOffsetsToTxnRequest, response: AddOffsetsToTxnResponse },
  { apiKey: 26, name: 'EndTxn', request: EndTxnRequest, response: EndTxnResponse },
  { apiKey: 27, name: 'WriteTxnMarkers', request: WriteTxnMarkersRequest, response: WriteTxnMarkersResponse },
  { apiKey: 28, name: 'TxnOffsetCommit', request: TxnOffsetCommitRequest, response: TxnOffsetCommitResponse },
  { apiKey: 29, name: 'DescribeAcls', request: DescribeAclsRequest, response: DescribeAclsResponse },
  { apiKey: 30, name: 'CreateAcls', request: CreateAclsRequest, response: CreateAclsResponse },
  { apiKey: 31, name: 'DeleteAcls', request: DeleteAclsRequest, response: DeleteAclsResponse },
  { apiKey: 32, name: 'DescribeConfigs', request: DescribeConfigsRequest, response: DescribeConfigsResponse },
  { apiKey: 33, name: 'AlterConfigs', request: AlterConfigsRequest, response: AlterConfigsResponse },
  {
    apiKey: 34,
    name: 'AlterReplicaLogDirs',
    request: AlterReplicaLogDirsRequest,
    response: AlterReplicaLogDirsResponse,
  },
  { apiKey: 35, name: 'DescribeLogDirs', request: DescribeLogDirsRequest, response: DescribeLogDirsResponse },
  {
    apiKey: 36,
    name: 'SaslAuthenticate',
    request: SaslAuthenticateRequest,
    response: SaslAuthenticateResponse,
  },
  {
    apiKey: 37,
    name: 'CreatePartitions',
    request: CreatePartitionsRequest,
    response: CreatePartitionsResponse,
  },
  {
    apiKey: 38,
    name: 'CreateDelegationToken',
    request: CreateDelegationTokenRequest,
    response: CreateDelegationTokenResponse,
  },
  {
    apiKey: 39,
    name: 'RenewDelegationToken',
    request: RenewDelegationTokenRequest,
    response: RenewDelegationTokenResponse,
  },
  {
    apiKey: 40,
    name: 'ExpireDelegationToken',
    request: ExpireDelegationTokenRequest,
    response: ExpireDelegationTokenResponse,
  },
  {
    apiKey: 41,
    name: 'DescribeDelegationToken',
    request: DescribeDelegationTokenRequest,
    response: DescribeDelegationTokenResponse,
  },
  { apiKey: 42, name: 'DeleteGroups', request: DeleteGroupsRequest, response: DeleteGroupsResponse },
  { apiKey: 43, name: 'ElectLeaders', request: ElectLeadersRequest, response: ElectLeadersResponse },
  {
    apiKey: 44,
    name: 'IncrementalAlterConfigs',
    request: IncrementalAlterConfigsRequest,
    response: IncrementalAlterConfigsResponse,
  },
  {
    apiKey: 45,
    name: 'AlterPartitionReassignments',
    request: AlterPartitionReassignmentsRequest,
    response: AlterPartitionReassignmentsResponse,
  },
  {
    apiKey: 46,
    name: 'ListPartitionReassignments',
    request: ListPartitionReassignmentsRequest,
    response: ListPartitionReassignmentsResponse,
  },
  { apiKey: 47, name: 'OffsetDelete', request: OffsetDeleteRequest, response: OffsetDeleteResponse },
  {
    apiKey: 48,
    name: 'DescribeClientQuotas',
    request: DescribeClientQuotasRequest,
    response: DescribeClientQuotasResponse,
  },
  {
    apiKey: 49,
    name: 'AlterClientQuotas',
    request: AlterClientQuotasRequest,
    response: AlterClientQuotasResponse,
  },
  {
    apiKey: 50,
    name: 'DescribeUserScramCredentials',
    request: DescribeUserScramCredentialsRequest,
    response: DescribeUserScramCredentialsResponse,
  },
  {
    apiKey: 51,
    name: 'AlterUserScramCredentials',
    request: AlterUserScramCredentialsRequest,
    response: AlterUserScramCredentialsResponse,
  },
  { apiKey: 55, name: 'DescribeQuorum', request: DescribeQuorumRequest, response: DescribeQuorumResponse },
  { apiKey: 57, name: 'UpdateFeatures', request: UpdateFeaturesRequest, response: UpdateFeaturesResponse },
  { apiKey: 60, name: 'DescribeCluster', request: DescribeClusterRequest, response: DescribeClusterResponse },
  {
    apiKey: 61,
    name: 'DescribeProducers',
    request: DescribeProducersRequest,
    response: DescribeProducersResponse,
  },
  {
    apiKey: 64,
    name: 'UnregisterBroker',
    request: UnregisterBrokerRequest,
    response: UnregisterBrokerResponse,
  },
  {
    apiKey: 65,
    name: 'DescribeTransactions',
    request: DescribeTransactionsRequest,
    response: DescribeTransactionsResponse,
  },
  {
    apiKey: 66,
    name: 'ListTransactions',
    request: ListTransactionsRequest,
    response: ListTransactionsResponse,
  },
  {
    apiKey: 68,
    name: 'ConsumerGroupHeartbeat',
    request: ConsumerGroupHeartbeatRequest,
    response: ConsumerGroupHeartbeatResponse,
  },
  {
    apiKey: 69,
    name: 'ConsumerGroupDescribe',
    request: ConsumerGroupDescribeRequest,
    response: ConsumerGroupDescribeResponse,
  },
  {
    apiKey: 74,
    name: 'ListConfigResources',
    request: ListConfigResourcesRequest,
    response: ListConfigResourcesResponse,
  },
  {
    apiKey: 75,
    name: 'DescribeTopicPartitions',
    request: DescribeTopicPartitionsRequest,
    response: DescribeTopicPartitionsResponse,
  },
  {
    apiKey: 76,
    name: 'ShareGroupHeartbeat',
    request: ShareGroupHeartbeatRequest,
    response: ShareGroupHeartbeatResponse,
  },
  {
    apiKey: 77,
    name: 'ShareGroupDescribe',
    request: ShareGroupDescribeRequest,
    response: ShareGroupDescribeResponse,
  },
  { apiKey: 78, name: 'ShareFetch', request: ShareFetchRequest, response: ShareFetchResponse },
  {
    apiKey: 79,
    name: 'ShareAcknowledge',
    request: ShareAcknowledgeRequest,
    response: ShareAcknowledgeResponse,
  },
  {
    apiKey: 90,
    name: 'DescribeShareGroupOffsets',
    request: DescribeShareGroupOffsetsRequest,
    response: DescribeShareGroupOffsetsResponse,
  },
  {
    apiKey: 91,
    name: 'AlterShareGroupOffsets',
    request: AlterShareGroupOffsetsRequest,
    response: AlterShareGroupOffsetsResponse,
  },
  {
    apiKey: 92,
    name: 'DeleteShareGroupOffsets',
    request: DeleteShareGroupOffsetsRequest,
    response: DeleteShareGroupOffsetsResponse,
  },
  {
    apiKey: 94,
    name: 'UnregisterController',
    request: UnregisterControllerRequest,
    response: UnregisterControllerResponse,
  },
] as const
