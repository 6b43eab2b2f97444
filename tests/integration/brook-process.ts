// Runs the real `brook start` command as a child process on a temporary data directory, for tests over real
// TCP and disk: waits for the "listening" line, exposes the port, and stops it (SIGTERM or SIGKILL). Every
// child still alive when the test process exits is killed, so a failing test cannot leak a broker.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** Path of bin/brook.js, found from this file's place in dist/tests/integration/. */
export const brookBinPath = fileURLToPath(new URL('../../../bin/brook.js', import.meta.url))

const live = new Set<ChildProcess>()
function killLive(): void {
  for (const child of live) child.kill('SIGKILL')
}
process.on('exit', killLive)
// A test file cancelled by the runner gets a signal, which skips 'exit': kill the brokers, then die of it.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killLive()
    process.kill(process.pid, signal)
  })
}

/**
 * Node options for the broker processes from BROOK_IT_NODE_ARGS (space-separated), e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them (NODE_OPTIONS refuses --cpu-prof).
 */
function nodeArgs(): string[] {
  return (process.env.BROOK_IT_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '')
}

/** Options of one broker process. */
export interface BrookProcessOptions {
  /** Data directory; a new temporary one (removed by `cleanup`) when absent. */
  dataDir?: string
  /** Extra `brook start` arguments, e.g. ['--no-auto-create-topics', '--num-partitions', '3']. */
  args?: readonly string[]
  /** How long to wait for the listening line, in ms. */
  startTimeoutMs?: number
}

/** How a broker process ended. */
export interface BrookExit {
  code: number | null
  signal: NodeJS.Signals | null
}

/** Creates an empty temporary directory for a broker's data. */
export async function makeTempDataDir(prefix = 'brook-it-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix))
}

const listeningPattern = /^brook \S+ listening on (\S+):(\d+), data (.*)$/m

/** One running (or ended) `brook start` child process. */
export class BrookProcess {
  readonly child: ChildProcess
  readonly dataDir: string
  readonly host: string
  /** The TCP port the broker bound. */
  readonly port: number
  /** Arguments it was started with, minus --port and --data-dir (reused by `restart`). */
  readonly args: readonly string[]
  /** True when `cleanup` should remove `dataDir` (it was created for this broker or its predecessor). */
  ownsDataDir: boolean
  /** Everything the broker wrote to stdout and stderr so far (its JSON log is on stderr). */
  output = ''
  private readonly exited: Promise<BrookExit>
  private exit: BrookExit | undefined

  private constructor(
    child: ChildProcess,
    dataDir: string,
    host: string,
    port: number,
    args: readonly string[],
    ownsDataDir: boolean,
    output: string,
    exited: Promise<BrookExit>,
  ) {
    this.child = child
    this.dataDir = dataDir
    this.host = host
    this.port = port
    this.args = args
    this.ownsDataDir = ownsDataDir
    this.output = output
    this.exited = exited
    exited.then((exit) => (this.exit = exit))
  }

  /** Starts `brook start --port 0` and resolves once it prints its listening line. */
  static async start(options: BrookProcessOptions = {}): Promise<BrookProcess> {
    const ownsDataDir = options.dataDir === undefined
    const dataDir = options.dataDir ?? (await makeTempDataDir())
    const args = options.args ?? []
    // The HTTP port (/metrics) on a free port too, unless the test chooses it, so brokers run side by side.
    const consoleArgs = args.some((a) => a === '--console-port' || a === '--no-console')
      ? []
      : ['--console-port', '0']
    const child = spawn(
      process.execPath,
      [...nodeArgs(), brookBinPath, 'start', '--port', '0', '--data-dir', dataDir, ...consoleArgs, ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    live.add(child)
    const exited = new Promise<BrookExit>((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child)
        resolve({ code, signal })
      })
    })
    let output = ''
    let brook: BrookProcess | undefined
    const append = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      if (brook !== undefined) brook.output += chunk.toString('utf8')
    }
    child.stderr!.on('data', append)
    const timeoutMs = options.startTimeoutMs ?? 15000
    const listening = await new Promise<RegExpMatchArray>((resolve, reject) => {
      let stdout = ''
      const timer = setTimeout(() => fail(new Error(`brook did not start within ${timeoutMs} ms`)), timeoutMs)
      const fail = (error: Error) => {
        clearTimeout(timer)
        child.kill('SIGKILL')
        reject(new Error(`${error.message}\n--- brook output ---\n${output}`))
      }
      child.stdout!.on('data', (chunk: Buffer) => {
        append(chunk)
        if (brook !== undefined) return
        stdout += chunk.toString('utf8')
        const match = listeningPattern.exec(stdout)
        if (match !== null) {
          clearTimeout(timer)
          resolve(match)
        }
      })
      exited.then((exit) => fail(new Error(`brook exited before listening: ${JSON.stringify(exit)}`)))
      child.once('error', fail)
    }).catch(async (error) => {
      await exited
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true })
      throw error
    })
    brook = new BrookProcess(
      child,
      dataDir,
      listening[1],
      Number(listening[2]),
      args,
      ownsDataDir,
      output,
      exited,
    )
    return brook
  }

  /** The base URL of the broker's HTTP port (/metrics, /healthz, /readyz), once it printed it. */
  async consoleUrl(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const match = /^metrics on (http:\/\/\S+)\/metrics$/m.exec(this.output)
      if (match !== null) return match[1]
      if (this.hasExited || Date.now() > deadline)
        throw new Error(`brook printed no metrics address\n--- brook output ---\n${this.output}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  /** True once the process has ended. */
  get hasExited(): boolean {
    return this.exit !== undefined
  }

  /** The process id. */
  get pid(): number {
    return this.child.pid!
  }

  /** Resolves when the process ends, however it ends. */
  waitForExit(): Promise<BrookExit> {
    return this.exited
  }

  /**
   * Sends `signal` (SIGTERM: a clean stop) and waits for the exit; after `timeoutMs` it sends SIGKILL and
   * rejects, so a broker that hangs on shutdown fails the test instead of hanging it.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10000): Promise<BrookExit> {
    if (this.exit !== undefined) return this.exit
    this.child.kill(signal)
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs)
    })
    const result = await Promise.race([this.exited, timedOut])
    clearTimeout(timer)
    if (result === 'timeout') {
      this.child.kill('SIGKILL')
      await this.exited
      throw new Error(`brook did not stop within ${timeoutMs} ms of ${signal}\n${this.output}`)
    }
    return result
  }

  /** Kills the process with SIGKILL (a crash: nothing is flushed) and waits for it to end. */
  async kill(): Promise<BrookExit> {
    if (this.exit !== undefined) return this.exit
    this.child.kill('SIGKILL')
    return this.exited
  }

  /** Starts a new broker process on the same data directory and arguments; this one must have ended. */
  async restart(options: { args?: readonly string[] } = {}): Promise<BrookProcess> {
    if (this.exit === undefined) throw new Error('restart() needs the old process to have ended')
    const next = await BrookProcess.start({ dataDir: this.dataDir, args: options.args ?? this.args })
    next.ownsDataDir = this.ownsDataDir
    return next
  }

  /** Kills the process if it still runs and removes the data directory if this object created it. */
  async cleanup(): Promise<void> {
    await this.kill()
    if (this.ownsDataDir) await rm(this.dataDir, { recursive: true, force: true })
  }

  /** Resident set size in bytes from /proc (Linux), or undefined elsewhere. */
  residentBytes(): Promise<number | undefined> {
    return this.statusBytes('VmRSS')
  }

  /** The highest resident set size the process has had, in bytes (Linux VmHWM), or undefined. */
  peakResidentBytes(): Promise<number | undefined> {
    return this.statusBytes('VmHWM')
  }

  private async statusBytes(field: string): Promise<number | undefined> {
    try {
      const { readFile } = await import('node:fs/promises')
      const status = await readFile(`/proc/${this.pid}/status`, 'utf8')
      const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)
      return match === null ? undefined : Number(match[1]) * 1024
    } catch {
      return undefined
    }
  }
}

/**
 * Runs `body` with brokers it may start through `start`, then kills every one of them and removes their
 * data directories, also when `body` throws.
 */
export async function withBrooks<T>(
  body: (start: (options?: BrookProcessOptions) => Promise<BrookProcess>, dataDir: string) => Promise<T>,
): Promise<T> {
  const dataDir = await makeTempDataDir()
  const started: BrookProcess[] = []
  const start = async (options: BrookProcessOptions = {}) => {
    const brook = await BrookProcess.start({ dataDir, ...options })
    started.push(brook)
    return brook
  }
  try {
    return await body(start, dataDir)
  } finally {
    for (const brook of started) await brook.kill()
    await rm(dataDir, { recursive: true, force: true })
  }
}
