// The request/response pairs the SDK sends, typed, and the highest version of each it speaks: newer
// versions identify topics by id only, which the SDK does not need.
import * as p from '../protocol/index.js'

function api<Q extends p.MessageDef, S extends p.MessageDef>(request: Q, response: S) {
  return { apiKey: request.apiKey, request, response } as const
}

export const Api = {
  produce: api(p.ProduceRequest, p.ProduceResponse),
  fetch: api(p.FetchRequest, p.FetchResponse),
  listOffsets: api(p.ListOffsetsRequest, p.ListOffsetsResponse),
  metadata: api(p.MetadataRequest, p.MetadataResponse),
  offsetCommit: api(p.OffsetCommitRequest, p.OffsetCommitResponse),
  offsetFetch: api(p.OffsetFetchRequest, p.OffsetFetchResponse),
  findCoordinator: api(p.FindCoordinatorRequest, p.FindCoordinatorResponse),
  joinGroup: api(p.JoinGroupRequest, p.JoinGroupResponse),
  heartbeat: api(p.HeartbeatRequest, p.HeartbeatResponse),
  leaveGroup: api(p.LeaveGroupRequest, p.LeaveGroupResponse),
  syncGroup: api(p.SyncGroupRequest, p.SyncGroupResponse),
  describeGroups: api(p.DescribeGroupsRequest, p.DescribeGroupsResponse),
  listGroups: api(p.ListGroupsRequest, p.ListGroupsResponse),
  createTopics: api(p.CreateTopicsRequest, p.CreateTopicsResponse),
  deleteTopics: api(p.DeleteTopicsRequest, p.DeleteTopicsResponse),
  initProducerId: api(p.InitProducerIdRequest, p.InitProducerIdResponse),
  describeConfigs: api(p.DescribeConfigsRequest, p.DescribeConfigsResponse),
  createPartitions: api(p.CreatePartitionsRequest, p.CreatePartitionsResponse),
  deleteGroups: api(p.DeleteGroupsRequest, p.DeleteGroupsResponse),
  incrementalAlterConfigs: api(p.IncrementalAlterConfigsRequest, p.IncrementalAlterConfigsResponse),
  offsetDelete: api(p.OffsetDeleteRequest, p.OffsetDeleteResponse),
  consumerGroupHeartbeat: api(p.ConsumerGroupHeartbeatRequest, p.ConsumerGroupHeartbeatResponse),
  consumerGroupDescribe: api(p.ConsumerGroupDescribeRequest, p.ConsumerGroupDescribeResponse),
  shareGroupHeartbeat: api(p.ShareGroupHeartbeatRequest, p.ShareGroupHeartbeatResponse),
  shareGroupDescribe: api(p.ShareGroupDescribeRequest, p.ShareGroupDescribeResponse),
  shareFetch: api(p.ShareFetchRequest, p.ShareFetchResponse),
  shareAcknowledge: api(p.ShareAcknowledgeRequest, p.ShareAcknowledgeResponse),
  describeShareGroupOffsets: api(p.DescribeShareGroupOffsetsRequest, p.DescribeShareGroupOffsetsResponse),
  alterShareGroupOffsets: api(p.AlterShareGroupOffsetsRequest, p.AlterShareGroupOffsetsResponse),
  deleteShareGroupOffsets: api(p.DeleteShareGroupOffsetsRequest, p.DeleteShareGroupOffsetsResponse),
  deleteRecords: api(p.DeleteRecordsRequest, p.DeleteRecordsResponse),
  describeLogDirs: api(p.DescribeLogDirsRequest, p.DescribeLogDirsResponse),
  addPartitionsToTxn: api(p.AddPartitionsToTxnRequest, p.AddPartitionsToTxnResponse),
  addOffsetsToTxn: api(p.AddOffsetsToTxnRequest, p.AddOffsetsToTxnResponse),
  txnOffsetCommit: api(p.TxnOffsetCommitRequest, p.TxnOffsetCommitResponse),
  endTxn: api(p.EndTxnRequest, p.EndTxnResponse),
} as const

/**
 * Highest version used per API key (topic names, not ids; one group per OffsetFetch). Transactions use the
 * classic protocol (transaction version 1): AddPartitionsToTxn v4+ is for brokers, and EndTxn v5 and
 * TxnOffsetCommit v5 belong to transaction version 2 (KIP-890), which this SDK does not speak.
 */
export const versionCaps: Readonly<Record<number, number>> = {
  [p.ApiKey.Produce]: 12,
  [p.ApiKey.Fetch]: 12,
  [p.ApiKey.Metadata]: 12,
  [p.ApiKey.OffsetCommit]: 9,
  [p.ApiKey.OffsetFetch]: 7,
  [p.ApiKey.AddPartitionsToTxn]: 3,
  [p.ApiKey.TxnOffsetCommit]: 4,
  [p.ApiKey.EndTxn]: 4,
}
