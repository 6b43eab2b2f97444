// A (topic, partition) pair and the string key the SDK's maps use for it.

/** A partition of a topic. */
export interface TopicPartition {
  /** The topic name. */
  topic: string
  /** The partition index. */
  partition: number
}

/** A map key for a partition; NUL cannot appear in a topic name. */
export function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}
