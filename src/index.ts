// The package root (`import { Producer, Consumer, startBroker } from 'brook'`): the SDK, plus
// startBroker() to run a broker inside the current process, composed by main.ts like `brook start`.
import { resolveBrokerConfig } from './broker/index.js'
import type { LogLevel } from './core/index.js'
import { defaultDataDir, launchBroker } from './main.js'

export * from './client/index.js'

/** Options of startBroker(): where it listens, where it keeps data, and any broker setting. */
export interface StartBrokerOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number
  /** Address to listen on (default 127.0.0.1). */
  host?: string
  /** Keep everything in memory (the default when no dataDir is given). */
  memory?: boolean
  /** Directory for topics and logs; implies memory: false. */
  dataDir?: string
  /** Create topics on first use (auto.create.topics.enable, default true). */
  autoCreateTopics?: boolean
  /** Partitions of auto-created topics (num.partitions, default 1). */
  numPartitions?: number
  /** Broker log level (default 'warn': a broker inside tests should be quiet). */
  logLevel?: LogLevel
  /** Any other setting, by Brook name or Kafka property name (e.g. 'group.initial.rebalance.delay.ms'). */
  settings?: Readonly<Record<string, string | number | boolean>>
}

/** A broker running in this process. */
export interface RunningBroker {
  /** "host:port" to give clients. */
  readonly bootstrap: string
  /** The port it listens on (the one picked when `port` was 0). */
  readonly port: number
  /** Stops listening, closes connections and flushes; resolves when done. */
  close(): Promise<void>
}

/** Starts a Brook broker inside this process, e.g. `await startBroker({ port: 0, memory: true })` in a test. */
export async function startBroker(options: StartBrokerOptions = {}): Promise<RunningBroker> {
  const file: Record<string, string> = {}
  for (const [name, value] of Object.entries(options.settings ?? {})) file[name] = String(value)
  const flags: Record<string, string | boolean | undefined> = {
    host: options.host,
    port: String(options.port ?? 0),
    memory: options.memory ?? options.dataDir === undefined,
    'data-dir': options.dataDir,
    'auto-create-topics':
      options.autoCreateTopics === undefined ? undefined : String(options.autoCreateTopics),
    'num-partitions': options.numPartitions === undefined ? undefined : String(options.numPartitions),
    'log-level': options.logLevel ?? 'warn',
  }
  const config = resolveBrokerConfig({
    defaultDataDir: defaultDataDir(),
    file,
    filePath: 'startBroker settings',
    flags,
  })
  const broker = await launchBroker(config)
  return {
    bootstrap: `${config.advertisedHost}:${broker.port}`,
    port: broker.port,
    close: () => broker.close(),
  }
}
