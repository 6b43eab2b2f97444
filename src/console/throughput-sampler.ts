// Throughput over time from what any Kafka cluster answers: log end offsets sampled every few seconds
// (records in), Brook's own records-out counters when its /metrics is readable, else consumer groups'
// committed offsets (records out). Samples are taken only while someone watches the console.
import type { Clock, Timer } from '../core/index.js'

/** What one sample reads from the cluster. */
export interface SampleReading {
  /** Sum of the log end offsets of each topic's partitions (the next offset to be written). */
  endOffsets: Map<string, number>
  /** Sum of each topic's earliest offsets: end minus start is what the topic retains. */
  startOffsets: Map<string, number>
  /** Brook's brook_records_out_total per topic, when its metrics are readable. */
  recordsOut: Map<string, number> | undefined
  /** Sum of every consumer group's committed offsets (records out when the cluster is not Brook). */
  committedTotal: number | undefined
  /** Open client connections (Brook's brook_connections), when known. */
  connections: number | undefined
}

export interface Sample extends SampleReading {
  atMs: number
}

/** One point of the live charts: rates over the interval ending at `atMs`. */
export interface ThroughputPoint {
  atMs: number
  recordsInPerSec: number
  recordsOutPerSec: number | null
  connections: number | null
}

export interface ThroughputSamplerOptions {
  clock: Clock
  read: () => Promise<SampleReading>
  /** Time between samples, in ms. */
  intervalMs?: number
  /** Samples kept (the charts' width). */
  samplesMax?: number
  /** Sampling stops this long after the console last asked, in ms. */
  idleStopMs?: number
}

/** Samples while in use; `touch` starts it (and resolves once a first sample exists). */
export class ThroughputSampler {
  readonly #options: Required<ThroughputSamplerOptions>
  readonly #samples: Sample[] = []
  #timer: Timer | undefined
  #running: Promise<void> | undefined
  #lastTouchMs = 0
  #closed = false
  /** The last sampling error, shown by the overview; cleared by a good sample. */
  lastError: string | undefined

  constructor(options: ThroughputSamplerOptions) {
    this.#options = { intervalMs: 2000, samplesMax: 150, idleStopMs: 60_000, ...options }
  }

  /** Notes that the console is watched; starts sampling if it had stopped. */
  async touch(): Promise<void> {
    this.#lastTouchMs = this.#options.clock.monotonicMs()
    if (this.#closed) return
    if (this.#timer === undefined && this.#running === undefined) this.#running = this.#sampleOnce()
    if (this.#samples.length === 0) await this.#running
  }

  async #sampleOnce(): Promise<void> {
    try {
      const reading = await this.#options.read()
      this.#samples.push({ atMs: this.#options.clock.nowMs(), ...reading })
      if (this.#samples.length > this.#options.samplesMax) this.#samples.shift()
      this.lastError = undefined
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error)
    } finally {
      this.#running = undefined
      const idleMs = this.#options.clock.monotonicMs() - this.#lastTouchMs
      if (!this.#closed && idleMs < this.#options.idleStopMs)
        this.#timer = this.#options.clock.setTimeout(() => {
          this.#timer = undefined
          this.#running = this.#sampleOnce()
        }, this.#options.intervalMs)
    }
  }

  latest(): Sample | undefined {
    return this.#samples.at(-1)
  }

  /** Records in per second of each topic over the last interval (absent until two samples exist). */
  topicRates(): Map<string, { inPerSec: number; outPerSec: number | null }> {
    const out = new Map<string, { inPerSec: number; outPerSec: number | null }>()
    const [before, after] = this.#samples.slice(-2)
    if (after === undefined) return out
    const seconds = (after.atMs - before.atMs) / 1000
    for (const [topic, end] of after.endOffsets) {
      const was = before.endOffsets.get(topic)
      const inPerSec = was === undefined ? 0 : Math.max(0, end - was) / seconds
      const o = after.recordsOut?.get(topic)
      const oWas = before.recordsOut?.get(topic)
      out.set(topic, {
        inPerSec,
        outPerSec: after.recordsOut === undefined ? null : Math.max(0, (o ?? 0) - (oWas ?? 0)) / seconds,
      })
    }
    return out
  }

  /** The live charts' points, oldest first. */
  series(): ThroughputPoint[] {
    const points: ThroughputPoint[] = []
    for (let i = 1; i < this.#samples.length; i++) {
      const before = this.#samples[i - 1]
      const after = this.#samples[i]
      const seconds = Math.max(0.001, (after.atMs - before.atMs) / 1000)
      points.push({
        atMs: after.atMs,
        recordsInPerSec: deltaOf(before.endOffsets, after.endOffsets) / seconds,
        recordsOutPerSec:
          after.recordsOut !== undefined && before.recordsOut !== undefined
            ? deltaOf(before.recordsOut, after.recordsOut) / seconds
            : after.committedTotal !== undefined && before.committedTotal !== undefined
              ? Math.max(0, after.committedTotal - before.committedTotal) / seconds
              : null,
        connections: after.connections ?? null,
      })
    }
    return points
  }

  close(): void {
    this.#closed = true
    this.#timer?.cancel()
    this.#timer = undefined
  }
}

/** Growth summed over the keys present in both maps (a new or deleted topic does not count). */
function deltaOf(before: Map<string, number>, after: Map<string, number>): number {
  let total = 0
  for (const [key, value] of after) {
    const was = before.get(key)
    if (was !== undefined) total += Math.max(0, value - was)
  }
  return total
}
