// The console's HTTP side: its static UI and a JSON API over the SDK (Admin, Consumer, Producer), so the
// same console runs inside `brook start` and against any Kafka cluster with `brook console -b`. Changes
// (create topic, produce, reset offsets, redrive) are POSTs guarded against other web pages (custom header,
// Host check) and refused when the console is read-only; the UI asks for confirmation before each.
import {
  Admin,
  type ClientOptions,
  ClientError,
  ConnectionError,
  KafkaError,
  Producer,
  type RedriveReport,
  RequestTimeoutError,
} from '../client/index.js'
import type { Clock } from '../core/index.js'
import type { HttpAnswer, HttpRequest } from '../io/index.js'
import type { ConsoleAssets } from './console-assets.js'
import { BROWSE_LIMIT_MAX, browseMessages } from './message-browser.js'
import { byLabel, type PrometheusSample, parsePrometheusText, sumOf } from './prometheus-text.js'
import { deadLetterSummary, redrive } from './queue-dead-letters.js'
import { type SampleReading, ThroughputSampler } from './throughput-sampler.js'

/** Topics whose offsets each overview sample reads (the rest are listed without rates). */
export const TOPICS_SAMPLED_MAX = 200
/** Groups (consumer or share) whose details a listing reads; the rest are listed by name only. */
export const GROUPS_DETAILED_MAX = 100
/** The request header every change must carry: a page of another site cannot set it without CORS. */
export const CHANGE_HEADER = 'x-brook-console'

export interface ConsoleOptions {
  /** The cluster, host:port[,host:port]. */
  bootstrap: string
  /** Refuse every change (POST answers 403). */
  readOnly: boolean
  clock: Clock
  assets: ConsoleAssets
  /** Brook's Prometheus text (its /metrics), or undefined when the cluster is not Brook or it is unreadable. */
  metrics?: () => Promise<string | undefined>
  /**
   * Brook's own view of a share group (its `/api/share-groups/<id>`: records in flight, who holds them,
   * delivery counts), or undefined when the cluster is not Brook or has no such group.
   */
  shareGroupView?: (groupId: string) => Promise<BrookShareGroupView | undefined>
  /** The address the HTTP port is bound to: on loopback, requests must name a loopback host (DNS rebinding). */
  boundHost: string
  /** Connect and request timeout towards the cluster, in ms. */
  timeoutMs?: number
  /** What the UI calls the cluster ("Brook" inside brook start). */
  clusterLabel?: string
}

/** The part of Brook's share-group view (broker/share-group-view.ts, served as JSON) the console shows. */
export interface BrookShareGroupView {
  readonly partitions: ReadonlyArray<{
    topic: string
    partition: number
    startOffset: number
    highWatermark: number
    lag: number
    available: number
    inFlight: number
    acknowledged: number
    archived: number
    deliveryCounts: Readonly<Record<string, number>>
    runs: ReadonlyArray<{
      firstOffset: number
      lastOffset: number
      state: string
      deliveryCount: number
      memberId: string | null
    }>
  }>
}

/** Runs of records in flight one queue view lists. */
export const IN_FLIGHT_RUNS_SHOWN_MAX = 50

/** A user's mistake or a missing thing: answered with its status and message, never a stack. */
class ApiError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

const loopbackNames = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

function isLoopback(host: string): boolean {
  return loopbackNames.has(host) || host.startsWith('127.')
}

const securityHeaders = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
} as const

/** The console: `handle` answers every request the HTTP listener gives it. */
export class ConsoleApi {
  readonly #options: ConsoleOptions
  readonly #clientOptions: ClientOptions
  readonly #admin: Admin
  readonly #sampler: ThroughputSampler
  #producer: Producer | undefined

  constructor(options: ConsoleOptions) {
    this.#options = options
    const timeoutMs = options.timeoutMs ?? 10_000
    this.#clientOptions = {
      bootstrap: options.bootstrap,
      clientId: 'brook-console',
      connectTimeoutMs: timeoutMs,
      requestTimeoutMs: timeoutMs,
      retries: 2,
      retryBackoffMs: 100,
      retryBackoffMaxMs: 500,
    }
    this.#admin = new Admin(this.#clientOptions)
    this.#sampler = new ThroughputSampler({ clock: options.clock, read: () => this.#readSample() })
  }

  async close(): Promise<void> {
    this.#sampler.close()
    await this.#producer?.close()
    await this.#admin.close()
  }

  async handle(request: HttpRequest): Promise<HttpAnswer> {
    try {
      this.#checkHost(request)
      if (!request.path.startsWith('/api/')) return await this.#asset(request)
      const segments = request.path
        .slice('/api/'.length)
        .split('/')
        .map((s) => decodeURIComponent(s))
      if (request.method === 'POST') {
        this.#checkChange(request)
        return json(200, await this.#change(segments, parseBody(request.body)))
      }
      return json(200, await this.#read(segments, request.query))
    } catch (error) {
      return errorAnswer(error)
    }
  }

  #checkHost(request: HttpRequest): void {
    if (!isLoopback(this.#options.boundHost)) return
    const host = (request.headers.host ?? '').replace(/:\d+$/, '')
    if (!isLoopback(host))
      throw new ApiError(421, `the console answers only requests to a loopback address, not '${host}'`)
  }

  #checkChange(request: HttpRequest): void {
    if (
      request.headers[CHANGE_HEADER] !== '1' ||
      !(request.headers['content-type'] ?? '').startsWith('application/json')
    )
      throw new ApiError(
        403,
        `changes must be JSON with the ${CHANGE_HEADER} header (sent by the console's page)`,
      )
    if (this.#options.readOnly) throw new ApiError(403, 'the console is read-only')
  }

  async #asset(request: HttpRequest): Promise<HttpAnswer> {
    if (request.method !== 'GET' && request.method !== 'HEAD') throw new ApiError(405, 'method not allowed')
    const name = request.path === '/' ? 'index.html' : request.path.slice(1)
    const asset = /^[a-z0-9-]+\.(html|js|css|svg)$/.test(name)
      ? await this.#options.assets.read(name)
      : undefined
    if (asset === undefined) throw new ApiError(404, `no page ${request.path}`)
    return {
      status: 200,
      contentType: asset.contentType,
      body: asset.body,
      headers: { ...securityHeaders, 'cache-control': 'no-cache' },
    }
  }

  async #read(segments: string[], query: URLSearchParams): Promise<unknown> {
    const [area, id, sub] = segments
    switch (area) {
      case 'info':
        return this.#info()
      case 'overview':
        return this.#overview()
      case 'topics':
        if (id === undefined || id === '') return this.#topics()
        if (sub === 'messages') return this.#messages(id, query)
        return this.#topic(id)
      case 'groups':
        if (id === undefined || id === '') return this.#groups()
        return this.#group(id)
      case 'queues':
        if (id === undefined || id === '') return this.#queues()
        return this.#queue(id)
      default:
        throw new ApiError(404, `no API /api/${segments.join('/')}`)
    }
  }

  async #change(segments: string[], body: Record<string, unknown>): Promise<unknown> {
    const [area, id, sub] = segments
    if (area === 'topics' && (id === undefined || id === '')) return this.#createTopic(body)
    if (area === 'topics' && id !== undefined && sub === 'messages') return this.#produce(id, body)
    if (area === 'groups' && id !== undefined && sub === 'reset-offsets') return this.#resetOffsets(id, body)
    if (area === 'queues' && id !== undefined && sub === 'redrive') return this.#redrive(id)
    if (area === 'queues' && id !== undefined && sub === 'reset-offsets') return this.#resetQueue(id, body)
    throw new ApiError(404, `no API POST /api/${segments.join('/')}`)
  }

  async #metricSamples(): Promise<PrometheusSample[] | undefined> {
    if (this.#options.metrics === undefined) return undefined
    const text = await this.#options.metrics().catch(() => undefined)
    return text === undefined ? undefined : parsePrometheusText(text)
  }

  async #info() {
    const cluster = await this.#admin.describeCluster()
    const metrics = await this.#metricSamples()
    return {
      bootstrap: this.#options.bootstrap,
      readOnly: this.#options.readOnly,
      label: this.#options.clusterLabel ?? 'Kafka cluster',
      brookMetrics: metrics !== undefined,
      clusterId: cluster.clusterId,
      controllerId: cluster.controllerId,
      brokers: cluster.brokers,
    }
  }

  async #readSample(): Promise<SampleReading & { partitionCounts: Map<string, number> }> {
    const names = (await this.#admin.listTopics()).slice(0, TOPICS_SAMPLED_MAX)
    const infos = names.length === 0 ? [] : await this.#admin.describeTopics(names)
    const endOffsets = new Map<string, number>()
    const startOffsets = new Map<string, number>()
    const partitionCounts = new Map<string, number>()
    for (const info of infos) partitionCounts.set(info.name, info.partitions.length)
    for (let i = 0; i < names.length; i += 20) {
      await Promise.all(
        names.slice(i, i + 20).map(async (topic) => {
          const [latest, earliest] = await Promise.all([
            this.#admin.listOffsets(topic, 'latest'),
            this.#admin.listOffsets(topic, 'earliest'),
          ])
          endOffsets.set(topic, sum(latest.values()))
          startOffsets.set(topic, sum(earliest.values()))
        }),
      )
    }
    const metrics = await this.#metricSamples()
    let committedTotal: number | undefined
    if (metrics === undefined) {
      committedTotal = 0
      const groups = (await this.#admin.listGroups()).filter((g) => !isShare(g))
      for (const g of groups.slice(0, GROUPS_DETAILED_MAX)) {
        const offsets = await this.#admin.groupOffsets(g.groupId).catch(() => [])
        for (const o of offsets) if (o.offset >= 0) committedTotal += o.offset
      }
    }
    return {
      endOffsets,
      startOffsets,
      partitionCounts,
      recordsOut: metrics === undefined ? undefined : byLabel(metrics, 'brook_records_out_total', 'topic'),
      committedTotal,
      connections: metrics === undefined ? undefined : sumOf(metrics, 'brook_connections'),
    }
  }

  async #overview() {
    await this.#sampler.touch()
    const sample = this.#sampler.latest() as
      | (SampleReading & { partitionCounts?: Map<string, number> })
      | undefined
    if (sample === undefined)
      throw new ApiError(503, this.#sampler.lastError ?? 'no sample of the cluster yet')
    const rates = this.#sampler.topicRates()
    const metrics = await this.#metricSamples()
    const [groups, cluster] = await Promise.all([this.#admin.listGroups(), this.#admin.describeCluster()])
    const topics = [...sample.endOffsets.keys()].sort().map((name) => {
      const end = sample.endOffsets.get(name) ?? 0
      const rate = rates.get(name)
      return {
        name,
        partitions: sample.partitionCounts?.get(name) ?? 0,
        records: end - (sample.startOffsets.get(name) ?? 0),
        endOffset: end,
        inPerSec: rate?.inPerSec ?? null,
        outPerSec: rate?.outPerSec ?? null,
      }
    })
    const notes: string[] = []
    if (metrics === undefined)
      notes.push(
        'Records out are consumer groups’ committed offsets over time, and connections are unknown: the cluster’s Brook /metrics is not readable (brook console --metrics-url).',
      )
    notes.push(
      'Storage is records retained (log end minus log start offset); bytes on disk need DescribeLogDirs, which the console does not use yet.',
    )
    if (this.#sampler.lastError !== undefined) notes.push(`Last sample failed: ${this.#sampler.lastError}`)
    return {
      cluster: { clusterId: cluster.clusterId, brokers: cluster.brokers.length },
      totals: {
        topics: topics.length,
        partitions: topics.reduce((n, t) => n + t.partitions, 0),
        records: topics.reduce((n, t) => n + t.records, 0),
        connections: sample.connections ?? null,
        groups: groups.filter((g) => !isShare(g)).length,
        shareGroups: groups.filter(isShare).length,
        bytesIn: metrics === undefined ? null : (sumOf(metrics, 'brook_bytes_in_total') ?? null),
        bytesOut: metrics === undefined ? null : (sumOf(metrics, 'brook_bytes_out_total') ?? null),
      },
      topics,
      series: this.#sampler.series(),
      notes,
    }
  }

  async #topics() {
    const names = await this.#admin.listTopics()
    const infos =
      names.length === 0 ? [] : await this.#admin.describeTopics(names.slice(0, TOPICS_SAMPLED_MAX))
    return {
      topics: names.map((name) => {
        const info = infos.find((t) => t.name === name)
        return { name, partitions: info?.partitions.length ?? null }
      }),
      more: Math.max(0, names.length - TOPICS_SAMPLED_MAX),
    }
  }

  async #topic(name: string) {
    const [info] = await this.#admin.describeTopics([name])
    const [earliest, latest, configs] = await Promise.all([
      this.#admin.listOffsets(name, 'earliest'),
      this.#admin.listOffsets(name, 'latest'),
      this.#admin.describeConfigs({ type: 'topic', name }),
    ])
    return {
      name,
      partitions: info.partitions
        .map((p) => ({
          partition: p.partition,
          leader: p.leaderId,
          replicas: p.replicas,
          isr: p.isr,
          earliest: earliest.get(p.partition) ?? null,
          latest: latest.get(p.partition) ?? null,
        }))
        .sort((a, b) => a.partition - b.partition),
      configs: Object.entries(configs)
        .map(([key, value]) => ({ name: key, value }))
        .sort((a, b) => (a.name < b.name ? -1 : 1)),
    }
  }

  async #messages(topic: string, query: URLSearchParams) {
    const number = (name: string) => {
      const text = query.get(name)
      if (text === null || text === '') return undefined
      if (!/^\d+$/.test(text))
        throw new ApiError(400, `${name} must be a non-negative integer, not '${text}'`)
      return Number(text)
    }
    const key = query.get('key')
    return browseMessages(this.#admin, this.#clientOptions, this.#options.clock, topic, {
      partition: number('partition'),
      offset: number('offset'),
      limit: number('limit') ?? 50,
      key: key === null || key === '' ? undefined : key,
    })
  }

  async #createTopic(body: Record<string, unknown>) {
    const name = requireString(body, 'name')
    const partitions = body.partitions === undefined ? undefined : requireInteger(body, 'partitions', 1)
    const configs: Record<string, string> = {}
    if (body.configs !== undefined) {
      if (typeof body.configs !== 'object' || body.configs === null)
        throw new ApiError(400, 'configs must be an object')
      for (const [k, v] of Object.entries(body.configs)) configs[k] = String(v)
    }
    await this.#admin.createTopics([{ topic: name, numPartitions: partitions, configs }])
    return { created: name }
  }

  async #produce(topic: string, body: Record<string, unknown>) {
    const value = body.value === null || body.value === undefined ? null : requireString(body, 'value')
    const key =
      body.key === null || body.key === undefined || body.key === '' ? null : requireString(body, 'key')
    const partition =
      body.partition === undefined || body.partition === null
        ? undefined
        : requireInteger(body, 'partition', 0)
    const headers: Array<{ key: string; value: string }> = []
    if (body.headers !== undefined) {
      if (!Array.isArray(body.headers)) throw new ApiError(400, 'headers must be a list of {key, value}')
      for (const h of body.headers as Array<Record<string, unknown>>)
        headers.push({ key: requireString(h, 'key'), value: String(h.value ?? '') })
    }
    // The topic must exist: producing would otherwise create it on clusters that auto-create.
    await this.#admin.describeTopics([topic])
    this.#producer ??= new Producer({ ...this.#clientOptions, acks: -1 })
    const sent = await this.#producer.send({
      topic,
      key: key === null ? null : Buffer.from(key, 'utf8'),
      value: value === null ? null : Buffer.from(value, 'utf8'),
      partition,
      headers: headers.map((h) => ({ key: h.key, value: Buffer.from(h.value, 'utf8') })),
    })
    return { partition: sent.partition, offset: sent.offset }
  }

  async #groups() {
    const all = (await this.#admin.listGroups()).filter((g) => !isShare(g))
    const groups = []
    for (const [i, g] of all.entries()) {
      if (i >= GROUPS_DETAILED_MAX) {
        groups.push({
          groupId: g.groupId,
          state: g.state,
          type: g.type || g.protocolType,
          members: null,
          lag: null,
          topics: [],
        })
        continue
      }
      const [described, offsets] = await Promise.all([
        this.#admin.describeGroups([g.groupId]).catch(() => []),
        this.#admin.groupOffsets(g.groupId).catch(() => []),
      ])
      groups.push({
        groupId: g.groupId,
        state: described[0]?.state ?? g.state,
        type: described[0]?.type ?? (g.type || g.protocolType),
        members: described[0]?.members.length ?? null,
        lag: offsets.reduce((n, o) => n + o.lag, 0),
        topics: [...new Set(offsets.map((o) => o.topic))].sort(),
      })
    }
    return { groups }
  }

  async #group(groupId: string) {
    const [[described], offsets] = await Promise.all([
      this.#admin.describeGroups([groupId]),
      this.#admin.groupOffsets(groupId),
    ])
    if (
      (described.state === 'Dead' || described.state === '') &&
      described.members.length === 0 &&
      offsets.length === 0
    )
      throw new ApiError(404, `no consumer group '${groupId}'`)
    return {
      groupId,
      state: described.state,
      type: described.type,
      epoch: described.epoch,
      members: described.members,
      assignmentKnown: described.type !== 'classic',
      offsets,
      lag: offsets.reduce((n, o) => n + o.lag, 0),
    }
  }

  async #resetOffsets(groupId: string, body: Record<string, unknown>) {
    const topic = requireString(body, 'topic')
    const to = body.to
    let target: 'earliest' | 'latest' | Record<number, number>
    if (to === 'earliest' || to === 'latest') target = to
    else if (typeof to === 'object' && to !== null) {
      target = {}
      for (const [p, o] of Object.entries(to)) {
        if (!/^\d+$/.test(p) || typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0)
          throw new ApiError(400, `offset of partition ${p} must be a non-negative integer`)
        target[Number(p)] = o
      }
    } else throw new ApiError(400, "to must be 'earliest', 'latest' or {partition: offset}")
    await this.#admin.resetOffsets(groupId, topic, target)
    return { groupId, topic, offsets: await this.#admin.groupOffsets(groupId, { topics: [topic] }) }
  }

  async #queues() {
    const all = await this.#admin.listShareGroups()
    const metrics = await this.#metricSamples()
    const inFlight =
      metrics === undefined ? undefined : byLabel(metrics, 'brook_share_group_records_in_flight', 'group')
    const queues = []
    for (const [i, g] of all.entries()) {
      if (i >= GROUPS_DETAILED_MAX) {
        queues.push({
          groupId: g.groupId,
          state: g.state,
          members: null,
          topics: [],
          lag: null,
          inFlight: null,
          deadLetters: null,
        })
        continue
      }
      const [described] = await this.#admin.describeShareGroups([g.groupId]).catch(() => [undefined])
      const dead = await deadLetterSummary(this.#admin, g.groupId, this.#clientOptions).catch(() => undefined)
      const offsets = await this.#admin.shareGroupOffsets(g.groupId).catch(() => undefined)
      queues.push({
        groupId: g.groupId,
        state: described?.state ?? g.state,
        members: described?.members.length ?? null,
        topics: [
          ...new Set(described?.members.flatMap((m) => m.assignment.map((tp) => tp.topic)) ?? []),
        ].sort(),
        inFlight: inFlight === undefined ? null : (inFlight.get(g.groupId) ?? 0),
        lag: offsets === undefined ? null : offsets.reduce((n, o) => n + Math.max(0, o.lag), 0),
        deadLetters: dead?.pending ?? null,
        deadLetterTopic: dead?.topic ?? null,
      })
    }
    return { queues, inFlightKnown: inFlight !== undefined }
  }

  async #queue(groupId: string) {
    const [described] = await this.#admin.describeShareGroups([groupId])
    if (described.state === 'Dead' && described.members.length === 0)
      throw new ApiError(404, `no share group '${groupId}'`)
    const configs = await this.#admin.describeConfigs({ type: 'group', name: groupId }).catch(() => ({}))
    const metrics = await this.#metricSamples()
    const inFlight =
      metrics === undefined
        ? null
        : (byLabel(metrics, 'brook_share_group_records_in_flight', 'group').get(groupId) ?? 0)
    // Start offsets and lag come over the protocol (DescribeShareGroupOffsets, Kafka 4.1+), also for an
    // empty group; brokers without it leave them out.
    const offsets = await this.#admin.shareGroupOffsets(groupId).catch(() => undefined)
    const topics = [
      ...new Set([
        ...described.members.flatMap((m) => m.assignment.map((tp) => tp.topic)),
        ...(offsets ?? []).map((o) => o.topic),
      ]),
    ].sort()
    const partitions: Array<Record<string, unknown> & { topic: string; partition: number }> = []
    for (const topic of topics) {
      const latest = await this.#admin.listOffsets(topic, 'latest').catch(() => new Map<number, number>())
      for (const [partition, end] of latest) {
        const o = offsets?.find((x) => x.topic === topic && x.partition === partition)
        partitions.push({
          topic,
          partition,
          endOffset: end,
          startOffset: o === undefined || o.startOffset < 0 ? null : o.startOffset,
          lag: o === undefined || o.lag < 0 ? null : o.lag,
        })
      }
    }
    const dead = await deadLetterSummary(this.#admin, groupId, this.#clientOptions, {
      clock: this.#options.clock,
      list: 50,
    })
    const brook = await this.#options.shareGroupView?.(groupId).catch(() => undefined)
    const missing: string[] = []
    if (brook === undefined) {
      missing.push(
        'Delivery counts, records in flight per partition and who holds them: the Kafka protocol does not expose them (Brook serves them on its HTTP port); dead letters carry their delivery count in the __dlq.errors.delivery.count header.',
      )
      if (inFlight === null)
        missing.push('Records in flight: known only from Brook’s /metrics, which is not readable here.')
    }
    const shared = brook?.partitions ?? []
    for (const p of partitions) {
      const b = shared.find((x) => x.topic === p.topic && x.partition === p.partition)
      Object.assign(
        p,
        b === undefined
          ? {}
          : {
              startOffset: b.startOffset,
              lag: p.lag ?? b.lag,
              available: b.available,
              inFlight: b.inFlight,
              acknowledged: b.acknowledged,
              archived: b.archived,
              deliveryCounts: b.deliveryCounts,
            },
      )
    }
    const inFlightRuns = shared
      .flatMap((b) =>
        b.runs
          .filter((r) => r.state === 'ACQUIRED' || (r.state === 'AVAILABLE' && r.deliveryCount > 0))
          .map((r) => ({ topic: b.topic, partition: b.partition, ...r })),
      )
      .slice(0, IN_FLIGHT_RUNS_SHOWN_MAX)
    return {
      groupId,
      state: described.state,
      epoch: described.epoch,
      members: described.members,
      partitions: partitions.sort((a, b) =>
        a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
      ),
      inFlight: brook === undefined ? inFlight : shared.reduce((n, p) => n + p.inFlight, 0),
      brookView: brook !== undefined,
      offsetsKnown: offsets !== undefined || brook !== undefined,
      inFlightRuns,
      configs: Object.entries(configs)
        .filter(([k]) => k.startsWith('share.') || k.startsWith('errors.'))
        .map(([name, value]) => ({ name, value }))
        .sort((a, b) => (a.name < b.name ? -1 : 1)),
      deadLetters: dead,
      missing,
    }
  }

  async #resetQueue(groupId: string, body: Record<string, unknown>) {
    const topic = requireString(body, 'topic')
    if (body.to !== 'earliest' && body.to !== 'latest')
      throw new ApiError(400, "to must be 'earliest' or 'latest'")
    await this.#admin.resetShareGroupOffsets(groupId, topic, body.to)
    return { groupId, topic, offsets: await this.#admin.shareGroupOffsets(groupId, { topics: [topic] }) }
  }

  async #redrive(groupId: string): Promise<RedriveReport> {
    this.#producer ??= new Producer({ ...this.#clientOptions, acks: -1 })
    return redrive(this.#admin, this.#producer, this.#clientOptions, groupId)
  }
}

function isShare(g: { type: string; protocolType: string }): boolean {
  return g.type === 'share' || g.protocolType === 'share'
}

function sum(values: Iterable<number>): number {
  let total = 0
  for (const v of values) if (v > 0) total += v
  return total
}

function json(status: number, value: unknown): HttpAnswer {
  return {
    status,
    contentType: 'application/json; charset=utf-8',
    body: `${JSON.stringify(value)}\n`,
    headers: { ...securityHeaders, 'cache-control': 'no-store' },
  }
}

function parseBody(text: string): Record<string, unknown> {
  let value: unknown
  try {
    value = text === '' ? {} : JSON.parse(text)
  } catch (error) {
    throw new ApiError(400, `the request body is not JSON: ${(error as Error).message}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ApiError(400, 'the request body must be a JSON object')
  return value as Record<string, unknown>
}

function requireString(body: Record<string, unknown>, name: string): string {
  const value = body[name]
  if (typeof value !== 'string' || value === '') throw new ApiError(400, `${name} must be a non-empty string`)
  return value
}

function requireInteger(body: Record<string, unknown>, name: string, min: number): number {
  const value =
    typeof body[name] === 'string' && /^\d+$/.test(body[name] as string) ? Number(body[name]) : body[name]
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
    throw new ApiError(400, `${name} must be an integer of at least ${min}`)
  return value
}

/** Maps an error to its answer: Kafka errors and misuse to 4xx with their message, an unreachable cluster to 503. */
function errorAnswer(error: unknown): HttpAnswer {
  if (error instanceof ApiError) return json(error.status, { error: error.message })
  if (error instanceof KafkaError) {
    const status =
      error.kafkaName === 'UNKNOWN_TOPIC_OR_PARTITION' || error.kafkaName === 'GROUP_ID_NOT_FOUND'
        ? 404
        : error.kafkaName === 'TOPIC_ALREADY_EXISTS'
          ? 409
          : 400
    return json(status, { error: error.message, kafkaError: error.kafkaName })
  }
  if (error instanceof ConnectionError || error instanceof RequestTimeoutError)
    return json(503, { error: `cannot reach the cluster: ${error.message}` })
  if (error instanceof ClientError) return json(400, { error: error.message })
  return json(500, { error: error instanceof Error ? error.message : String(error) })
}

export { BROWSE_LIMIT_MAX }
