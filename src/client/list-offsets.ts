// ListOffsets for many partitions: grouped by leader, one request per leader, retried on stale metadata.
import { ErrorCode } from '../protocol/index.js'
import { Api } from './apis.js'
import type { Cluster } from './cluster.js'
import { kafkaError, staleMetadataCodes } from './errors.js'
import { type TopicPartition, tpKey } from './topic-partition.js'

/**
 * Offsets of `states` at `timestamp` (-2 earliest, -1 latest, else the first at or after it), keyed by tpKey.
 * With isolation level 1 (read_committed), latest is the last stable offset.
 */
export async function listOffsets(
  cluster: Cluster,
  states: readonly TopicPartition[],
  timestamp: number,
  isolationLevel: 0 | 1 = 0,
): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  await cluster.retry(
    async () => {
      const byLeader = new Map<number, TopicPartition[]>()
      for (const s of states) {
        const info = await cluster.topic(s.topic)
        const leader = info.partitions[s.partition]?.leaderId ?? -1
        if (leader < 0) throw kafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `${s.topic}-${s.partition}`)
        let list = byLeader.get(leader)
        if (list === undefined) byLeader.set(leader, (list = []))
        list.push(s)
      }
      await Promise.all(
        [...byLeader].map(async ([leader, list]) => {
          const byTopic = new Map<string, number[]>()
          for (const s of list) {
            let ps = byTopic.get(s.topic)
            if (ps === undefined) byTopic.set(s.topic, (ps = []))
            ps.push(s.partition)
          }
          const connection = await cluster.connectionTo(leader)
          const response = await cluster.send(connection, Api.listOffsets, {
            replicaId: -1,
            isolationLevel,
            topics: [...byTopic].map(([name, ps]) => ({
              name,
              partitions: ps.map((partitionIndex) => ({
                partitionIndex,
                currentLeaderEpoch: -1,
                timestamp,
                maxNumOffsets: 1,
              })),
            })),
            timeoutMs: cluster.requestTimeoutMs,
          })
          for (const topic of response.topics)
            for (const p of topic.partitions) {
              if (p.errorCode !== ErrorCode.NONE) {
                if (staleMetadataCodes.has(p.errorCode)) cluster.invalidateTopic(topic.name)
                throw kafkaError(p.errorCode, `ListOffsets ${topic.name}-${p.partitionIndex}`)
              }
              out.set(tpKey(topic.name, p.partitionIndex), p.offset)
            }
        }),
      )
    },
    { retries: Math.max(cluster.retries, 10) },
  )
  return out
}
