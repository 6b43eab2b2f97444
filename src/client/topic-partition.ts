// A (topic, partition) pair and the string key the SDK's maps use for it.

export interface TopicPartition {
  topic: string
  partition: number
}

/** A map key for a partition; NUL cannot appear in a topic name. */
export function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}
