// Composition root and the `brook` command line: `brook start` builds io -> storage -> metadata ->
// coordinators -> broker -> network and runs until SIGINT or SIGTERM.
import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import {
  Broker,
  type BrokerConfig,
  brokerSettingNames,
  parseConfigFile,
  resolveBrokerConfig,
  shareGroupView,
  shareGroupViews,
} from './broker/index.js'
import { cliCommandNames, runCli } from './cli/index.js'
import { ConsoleApi, findUiFolder, folderAssets, runConsoleCommand } from './console/index.js'
import { BrookError, createLogger, LogLevels } from './core/index.js'
import {
  CryptoRandom,
  type HttpAnswer,
  HttpListener,
  type HttpRequest,
  NodeFileSystem,
  SystemClock,
  TcpTransport,
} from './io/index.js'
import { BrokerMetrics, type CleanerSource, type LagSource, type ShareSource } from './metrics/index.js'
import { SimFileSystem } from './testing/index.js'

const usage = `Usage: brook <command> [options]

Commands:
  start            Start a broker (default: 127.0.0.1:9092, data in ${defaultDataDir()});
                   its web console is on http://127.0.0.1:9093/
  console          The web console alone, for Brook or any Kafka cluster (brook console --help)
  topics, produce, consume, groups, configs, cluster, queues
                   Client commands for Brook or any Kafka cluster (brook --help lists them)

Options for start:
  --host HOST               address to listen on (default 127.0.0.1)
  --port PORT               port to listen on (default 9092; 0 picks a free one)
  --advertised-host HOST    host name given to clients in Metadata (default: --host)
  --data-dir DIR            where topics and logs are kept
  --memory                  keep everything in memory (nothing is written to disk)
  --config FILE             settings file: JSON, or name=value lines (Kafka property names work too)
  --log-level LEVEL         debug, info, warn or error (default info)
  --no-auto-create-topics   do not create topics on first use
  --num-partitions N        partitions of auto-created topics (default 1)
  --max-partitions N        partitions of all topics together (default 10000)
  --max-partitions-per-request N  partitions one topic creation or CreatePartitions may add (default 10000)
  --console-port N          HTTP port of the web console, /metrics, /healthz and /readyz on --host (default 9093)
  --console-read-only       the web console refuses changes (create topic, produce, reset offsets, redrive)
  --no-console              do not open the HTTP port
  --metrics-topics-max N    topics with their own label in /metrics; the rest are "_other" (default 1000)
  --metrics-groups-max N    consumer groups whose lag /metrics reports (default 1000)

Every setting can also come from the environment as BROOK_<NAME>, e.g. BROOK_PORT=19092 or BROOK_CONSOLE_PORT=19093.
`

/** The options of `brook start`, shown under the client commands in `brook --help`. */
function startHelp(): string {
  return usage.slice(usage.indexOf('Options for start:'))
}

/** The per-user data directory: XDG on Linux, Application Support on macOS, LOCALAPPDATA on Windows. */
export function defaultDataDir(): string {
  const home = os.homedir()
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'brook')
  if (process.platform === 'win32')
    return path.join(process.env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'brook')
  return path.join(process.env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'brook')
}

/** Set by the bundler (scripts/bundle.mjs); absent when running the unbundled modules. */
declare const BROOK_VERSION: string | undefined

function readPackageVersion(): string {
  if (typeof BROOK_VERSION === 'string') return BROOK_VERSION
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8')
    return (JSON.parse(text) as { version: string }).version
  } catch {
    return 'unknown'
  }
}

/**
 * Starts a broker with resolved settings; the caller owns stopping it. `brook start` and the package's
 * `startBroker()` (src/index.ts) both compose the broker here.
 */
export async function launchBroker(config: BrokerConfig): Promise<Broker> {
  const clock = new SystemClock()
  // The logger's own timer (the count of suppressed repeats) must not keep a stopping process alive.
  // Levels change at runtime through IncrementalAlterConfigs on BROKER_LOGGER resources.
  const logLevels = new LogLevels(config.logLevel)
  const logger = createLogger({
    levels: logLevels,
    fields: { node: config.nodeId },
    clock: new SystemClock({ unrefTimers: true }),
  })
  const fs = config.memory ? new SimFileSystem() : new NodeFileSystem()
  return Broker.start({
    config,
    fs,
    clock,
    transport: new TcpTransport(),
    logger,
    logLevels,
    random: new CryptoRandom(),
  })
}

async function start(args: string[]): Promise<number> {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    config: { type: 'string' },
    help: { type: 'boolean' },
  }
  for (const name of brokerSettingNames)
    options[name] = { type: name === 'memory' || name === 'console-read-only' ? 'boolean' : 'string' }
  options['no-auto-create-topics'] = { type: 'boolean' }
  options['no-console'] = { type: 'boolean' }
  const { values } = parseArgs({ args, options, allowPositionals: false })
  if (values.help) {
    process.stdout.write(usage)
    return 0
  }
  const flags: Record<string, string | boolean | undefined> = {}
  for (const name of brokerSettingNames) flags[name] = values[name] as string | boolean | undefined
  if (values['no-auto-create-topics']) flags['auto-create-topics'] = 'false'
  if (values['no-console']) flags.console = 'false'
  const filePath = values.config as string | undefined
  const file = filePath === undefined ? undefined : parseConfigFile(readFileSync(filePath, 'utf8'), filePath)
  const config = resolveBrokerConfig({
    defaultDataDir: defaultDataDir(),
    file,
    filePath,
    env: process.env,
    flags,
  })
  const startedMs = performance.now()
  // Subscribed before the broker starts, so that every connection and request is counted.
  let running: Broker | undefined
  const metrics = config.console
    ? new BrokerMetrics({
        topicsMax: config.metricsTopicsMax,
        groupsMax: config.metricsGroupsMax,
        lag: lagSource(() => running),
        shares: shareSource(() => running),
        cleaner: cleanerSource(() => running),
      })
    : undefined
  const broker = await launchBroker(config)
  running = broker
  let consoleListener: HttpListener | undefined
  let consoleApi: ConsoleApi | undefined
  if (metrics !== undefined) {
    try {
      const fs = new NodeFileSystem()
      const wildcard = config.host === '0.0.0.0' || config.host === '::' || config.host === ''
      consoleApi = new ConsoleApi({
        bootstrap: `${wildcard ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host}:${broker.port}`,
        readOnly: config.consoleReadOnly,
        clock: new SystemClock(),
        assets: folderAssets(fs, await findUiFolder(fs)),
        metrics: () => metrics.text(),
        shareGroupView: (groupId) => shareGroupView(broker.context, groupId),
        boundHost: config.host,
        clusterLabel: 'Brook',
      })
      const api = consoleApi
      consoleListener = await HttpListener.listen(config.host, config.consolePort, (request) =>
        consoleRoutes(request, broker, metrics, api),
      )
    } catch (error) {
      await consoleApi?.close()
      metrics.close()
      await broker.close()
      throw error
    }
  }
  const where = config.memory ? 'in memory (nothing is kept)' : config.dataDir
  broker.context.logger.info(`brook listening on ${config.host}:${broker.port}`, {
    host: config.host,
    port: broker.port,
    advertised: `${config.advertisedHost}:${broker.context.advertisedPort}`,
    dataDir: where,
    startMs: Math.round(performance.now() - startedMs),
    version: readPackageVersion(),
  })
  process.stdout.write(
    `brook ${readPackageVersion()} listening on ${config.host}:${broker.port}, data ${where}\n`,
  )
  if (consoleListener !== undefined) {
    process.stdout.write(`metrics on http://${config.host}:${consoleListener.port}/metrics\n`)
    process.stdout.write(`console on http://${config.host}:${consoleListener.port}/\n`)
  }
  await new Promise<void>((resolve) => {
    let stopping = false
    const stop = (signal: string) => {
      if (stopping) return
      stopping = true
      broker.context.logger.info('stopping', { signal })
      Promise.all([consoleListener?.close(), consoleApi?.close(), broker.close()]).then(
        () => resolve(),
        (error) => {
          broker.context.logger.error('error while stopping', { error })
          resolve()
        },
      )
    }
    process.once('SIGINT', () => stop('SIGINT'))
    process.once('SIGTERM', () => stop('SIGTERM'))
  })
  metrics?.close()
  broker.context.logger.info('stopped')
  return 0
}

/** Committed offsets and high watermarks of the running broker, for consumer-group lag in /metrics. */
function lagSource(broker: () => Broker | undefined): LagSource {
  return {
    groupIds: () =>
      broker()
        ?.context.groups.listGroups()
        .map((g) => g.groupId) ?? [],
    committedOffsets(groupId) {
      const answer = broker()?.context.groups.fetchOffsets({
        groupId,
        memberId: null,
        memberEpoch: -1,
        topics: null,
      })
      return (answer?.topics ?? []).flatMap((t) =>
        t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset })),
      )
    },
    async highWatermark(topic, partition) {
      const log = await broker()?.context.partitions.log(topic, partition)
      return log?.highWatermark
    },
  }
}

/** Share groups of the running broker, for the queue gauges of /metrics. */
function shareSource(broker: () => Broker | undefined): ShareSource {
  return {
    async groups(groupsMax) {
      const running = broker()
      return running === undefined ? [] : shareGroupViews(running.context, { groupsMax, withRuns: false })
    },
    groupCount: () => {
      const shares = broker()?.context.shares
      return shares === undefined
        ? 0
        : new Set([...shares.groupIds(), ...shares.sharePartitionStates().keys()]).size
    },
  }
}

function cleanerSource(broker: () => Broker | undefined): CleanerSource {
  return { stats: () => broker()?.context.partitions.cleanerStats }
}

const SHARE_GROUP_ROUTE = '/api/share-groups/'

/** The HTTP routes of `brook start`: Prometheus metrics, liveness, readiness, and the web console. */
async function consoleRoutes(
  request: HttpRequest,
  broker: Broker,
  metrics: BrokerMetrics,
  api: ConsoleApi,
): Promise<HttpAnswer> {
  const text = (status: number, body: string): HttpAnswer => ({ status, contentType: 'text/plain', body })
  if (request.method === 'POST') return api.handle(request)
  switch (request.path) {
    case '/metrics':
      return { status: 200, contentType: metrics.contentType, body: await metrics.text() }
    case '/healthz':
      return text(200, 'ok\n')
    case '/readyz':
      return broker.context.partitions.isClosing ? text(503, 'stopping\n') : text(200, 'ready\n')
    default:
      if (request.path.startsWith(SHARE_GROUP_ROUTE)) {
        // Brook's own read-only view of a queue: what the Kafka protocol does not carry (records in
        // flight and their holders, delivery counts), for `brook queues` and the console.
        let groupId: string
        try {
          groupId = decodeURIComponent(request.path.slice(SHARE_GROUP_ROUTE.length))
        } catch {
          return text(400, 'bad group id\n')
        }
        const view = await shareGroupView(broker.context, groupId)
        return view === undefined
          ? text(404, 'no such share group\n')
          : { status: 200, contentType: 'application/json', body: `${JSON.stringify(view)}\n` }
      }
      return api.handle(request)
  }
}

/** Runs the `brook` command with `args` (without node and script); resolves to an exit code. */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args
  try {
    switch (command) {
      case undefined:
      case 'start':
        return await start(rest)
      case 'console':
        return await runConsoleCommand(rest)
      case '--version':
      case 'version':
        process.stdout.write(`${readPackageVersion()}\n`)
        return 0
      case '--help':
      case '-h':
      case 'help':
        return await runCli(['--help'], readPackageVersion(), startHelp())
      default:
        if (cliCommandNames.includes(command)) return await runCli(args, readPackageVersion(), startHelp())
        if (command.startsWith('--')) return await start(args)
        process.stderr.write(`brook: unknown command '${command}' (brook --help lists the commands)\n`)
        return 2
    }
  } catch (error) {
    if (
      error instanceof BrookError ||
      (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
    ) {
      process.stderr.write(`brook: ${(error as Error).message}\n`)
      return 2
    }
    throw error
  }
}
