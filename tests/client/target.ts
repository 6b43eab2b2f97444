// Which broker the SDK suite runs against: an in-process Brook by default, or the Apache Kafka named by
// BROOK_SDK_KAFKA_BOOTSTRAP ("host:port", started by .ci/run with bench/kafka/start.sh).
import { randomUUID } from 'node:crypto'
import { startBroker } from '../../src/index.js'

export interface Target {
  kind: 'brook' | 'kafka'
  bootstrap: string
  close(): Promise<void>
}

/** Starts the broker the suite runs against (or connects to the external one). */
export async function startTarget(
  options: { numPartitions?: number; autoCreateTopics?: boolean } = {},
): Promise<Target> {
  const external = process.env.BROOK_SDK_KAFKA_BOOTSTRAP
  if (external) return { kind: 'kafka', bootstrap: external, close: async () => undefined }
  const broker = await startBroker({
    port: 0,
    memory: true,
    numPartitions: options.numPartitions,
    autoCreateTopics: options.autoCreateTopics,
    // As bench/kafka/start.sh configures Kafka: no initial rebalance delay; KIP-848 sessions short enough
    // for a killed member's partitions to move within a test.
    settings: {
      'group.initial.rebalance.delay.ms': 0,
      'group.consumer.session.timeout.ms': 6000,
      'group.consumer.heartbeat.interval.ms': 1000,
    },
  })
  return { kind: 'brook', bootstrap: broker.bootstrap, close: () => broker.close() }
}

/** A topic or group name no other test (or earlier run against the same Kafka) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`
}
