// `brook console -b HOST:PORT`: the web console alone, against any Kafka cluster (Brook or Apache Kafka),
// on loopback unless told otherwise. Reads Brook's /metrics too when it finds them (or --metrics-url).
import { parseArgs } from 'node:util'
import { Admin } from '../client/index.js'
import { HttpListener, NodeFileSystem, SystemClock } from '../io/index.js'
import { folderAssets, findUiFolder } from './console-assets.js'
import { type BrookShareGroupView, ConsoleApi } from './console-api.js'

export const consoleUsage = `Usage: brook console [options]

The web console (topics, consumer groups, queues, live throughput) for Brook or any Kafka cluster.

Options:
  -b, --bootstrap HOST:PORT  the cluster (default localhost:9092)
  --host HOST                address the console listens on (default 127.0.0.1; anything else exposes it)
  --port N                   port of the console (default 9094; 0 picks a free one)
  --read-only                refuse every change (create topic, produce, reset offsets, redrive)
  --metrics-url URL          Brook's /metrics, for records out and connections (default: tried at
                             http://<bootstrap host>:9093/metrics, used when it is Brook's)
  --timeout MS               connect and request timeout towards the cluster (default 10000)
  -h, --help                 this text
`

/** Brook's metrics at `url` as text, or undefined when unreachable or not Brook's. */
async function readMetrics(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) })
    if (!response.ok) return undefined
    const text = await response.text()
    return text.includes('brook_records_in_total') ? text : undefined
  } catch {
    return undefined
  }
}

/** True when the Brook console beside `metricsUrl` reports `clusterId` (its /api/info). */
async function sameCluster(metricsUrl: string, clusterId: string | null): Promise<boolean> {
  try {
    const response = await fetch(metricsUrl.replace(/\/metrics$/, '/api/info'), {
      signal: AbortSignal.timeout(5000),
    })
    return response.ok && ((await response.json()) as { clusterId?: string | null }).clusterId === clusterId
  } catch {
    return false
  }
}

/** JSON from Brook's HTTP port, or undefined when it answers anything but 200. */
async function readJson(url: string): Promise<BrookShareGroupView | undefined> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) })
  return response.ok ? ((await response.json()) as BrookShareGroupView) : undefined
}

/** Runs `brook console` until SIGINT or SIGTERM; resolves to the exit code. */
export async function runConsoleCommand(args: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args,
      options: {
        bootstrap: { type: 'string', short: 'b', default: 'localhost:9092' },
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '9094' },
        'read-only': { type: 'boolean' },
        'metrics-url': { type: 'string' },
        timeout: { type: 'string', default: '10000' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }).values
  } catch (error) {
    process.stderr.write(`brook console: ${(error as Error).message}\n`)
    return 2
  }
  if (values.help) {
    process.stdout.write(consoleUsage)
    return 0
  }
  const port = Number(values.port)
  const timeoutMs = Number(values.timeout)
  if (!/^\d+$/.test(String(values.port)) || port > 65535) {
    process.stderr.write(`brook console: --port '${values.port}' is not a port number\n`)
    return 2
  }
  if (!/^\d+$/.test(String(values.timeout)) || timeoutMs <= 0) {
    process.stderr.write(`brook console: --timeout '${values.timeout}' must be a positive number of ms\n`)
    return 2
  }
  const bootstrap = String(values.bootstrap)
  const host = String(values.host)

  const probe = new Admin({ bootstrap, connectTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs, retries: 1 })
  let clusterId: string | null
  try {
    clusterId = (await probe.describeCluster()).clusterId
  } catch (error) {
    process.stderr.write(
      `brook console: cannot reach the cluster at ${bootstrap}: ${(error as Error).message}\n`,
    )
    return 1
  } finally {
    await probe.close()
  }
  const firstHost = bootstrap.split(',')[0].replace(/:\d+$/, '')
  const metricsUrl =
    (values['metrics-url'] as string | undefined) ??
    `http://${firstHost.includes(':') ? `[${firstHost}]` : firstHost}:9093/metrics`
  // A guessed address may be another Brook on the same host: use it only if its console names this cluster.
  const isBrook =
    (await readMetrics(metricsUrl)) !== undefined &&
    (values['metrics-url'] !== undefined || (await sameCluster(metricsUrl, clusterId)))
  const fs = new NodeFileSystem()
  const api = new ConsoleApi({
    bootstrap,
    readOnly: values['read-only'] === true,
    clock: new SystemClock(),
    assets: folderAssets(fs, await findUiFolder(fs)),
    metrics: isBrook ? () => readMetrics(metricsUrl) : undefined,
    shareGroupView: isBrook
      ? (groupId) =>
          readJson(`${metricsUrl.replace(/\/metrics$/, '')}/api/share-groups/${encodeURIComponent(groupId)}`)
      : undefined,
    boundHost: host,
    timeoutMs,
    clusterLabel: isBrook ? 'Brook' : 'Kafka cluster',
  })
  let listener: HttpListener
  try {
    listener = await HttpListener.listen(
      host,
      port,
      (request) => api.handle(request),
      'choose another with --port',
    )
  } catch (error) {
    await api.close()
    throw error
  }
  const shown = host.includes(':') ? `[${host}]` : host
  process.stdout.write(
    `brook console on http://${shown}:${listener.port}/ for ${bootstrap}${values['read-only'] ? ' (read-only)' : ''}\n`,
  )
  process.stdout.write(
    isBrook
      ? `Brook metrics from ${metricsUrl}\n`
      : `no Brook metrics at ${metricsUrl}: records out come from committed offsets\n`,
  )
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await Promise.all([listener.close(), api.close()])
  return 0
}
