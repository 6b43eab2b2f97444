// The narrow view of topics the coordinator needs: partition counts, and names <-> ids for KIP-848 and
// OffsetCommit/OffsetFetch v10. The broker wires it to the metadata TopicRegistry.
import type { TopicRegistry } from '../metadata/index.js'

/** Topic lookups; ids are Kafka's 22-character base64url text. */
export interface TopicLookup {
  /** Number of partitions (numbered 0 to count - 1), or undefined if the topic does not exist. */
  partitionCount(name: string): number | undefined
  topicId(name: string): string | undefined
  topicName(topicId: string): string | undefined
  /** Every topic name; used to match KIP-848 regex subscriptions. */
  topicNames(): readonly string[]
}

/** A TopicLookup reading the metadata registry on every call (so it sees topics created later). */
export function topicLookupFromRegistry(registry: TopicRegistry): TopicLookup {
  return {
    partitionCount: (name) => registry.topic(name)?.partitionCount,
    topicId: (name) => registry.topic(name)?.topicId,
    topicName: (topicId) => registry.topicById(topicId)?.name,
    topicNames: () => registry.topics().map((t) => t.name),
  }
}

/** A fixed TopicLookup from name -> partition count, with made-up ids; for tests. */
export function staticTopicLookup(partitionCounts: Record<string, number>): TopicLookup {
  const idOf = (name: string) => Buffer.from(name.padEnd(16, '_').slice(0, 16)).toString('base64url')
  return {
    partitionCount: (name) => partitionCounts[name],
    topicId: (name) => (name in partitionCounts ? idOf(name) : undefined),
    topicName: (topicId) => Object.keys(partitionCounts).find((name) => idOf(name) === topicId),
    topicNames: () => Object.keys(partitionCounts),
  }
}
