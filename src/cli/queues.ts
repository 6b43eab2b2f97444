// `brook queues`: share groups (KIP-932) as queues. list and describe (members, start offsets, lag, and from
// Brook's own HTTP view records in flight and delivery counts; the dead-letter topic's depth), peek (records
// waiting, read with plain Fetches so no delivery count moves), redrive (dead letters back to their source
// topic) and purge (drop what is queued by moving the share start offset to the end).
import { createInterface } from 'node:readline/promises'
import type { Command } from 'commander'
import {
  Admin,
  deadLetterDepth,
  deadLetterTopicOf,
  readTopicRanges,
  redriveDeadLetters,
  type ShareGroupPartitionOffset,
} from '../client/index.js'
import { httpGetJson } from '../io/index.js'
import { type ConnectionFlags, clientOptions, collect, positive, withConnection } from './common.js'
import { CliFailure, printJson, printMembers, printTable, UsageError } from './output.js'
import { Progress } from './progress.js'

type Flags = ConnectionFlags & { json?: boolean; http?: string }

/** How long `brook queues` waits for Brook's HTTP view before going on without it. */
const BROOK_VIEW_TIMEOUT_MS = 2000

/** Brook's view of one share-partition (GET /api/share-groups/<id> of `brook start`). */
interface PartitionView {
  topic: string
  partition: number
  startOffset: number
  highWatermark: number
  lag: number
  available: number
  inFlight: number
  acknowledged: number
  archived: number
  deliveryCounts: Record<string, number>
  runs: Array<{
    firstOffset: number
    lastOffset: number
    state: string
    deliveryCount: number
    memberId: string | null
  }>
}

interface BrookView {
  url: string
  partitions: PartitionView[] | undefined
  /** Why there is no view (not Brook, not reachable): shown to the user. */
  missing?: string
}

async function withAdmin<T>(flags: ConnectionFlags, body: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin({ ...clientOptions(flags), operationTimeoutMs: flags.timeout })
  try {
    return await body(admin)
  } finally {
    await admin.close()
  }
}

/** The HTTP base of Brook's read-only endpoints: --http, BROOK_HTTP, else port 9093 of the bootstrap host. */
function brookHttpBase(flags: Flags): string {
  const given = flags.http ?? process.env.BROOK_HTTP
  if (given !== undefined && given !== '') return given.replace(/\/+$/, '')
  const first = flags.bootstrap.split(',')[0].trim()
  const host = first.startsWith('[') ? first.slice(0, first.indexOf(']') + 1) : first.split(':')[0]
  return `http://${host === '' ? 'localhost' : host}:9093`
}

/** Brook's view of the group, or why there is none (another broker, or its HTTP port not reachable). */
async function brookView(flags: Flags, groupId: string): Promise<BrookView> {
  const base = brookHttpBase(flags)
  const url = `${base}/api/share-groups/${encodeURIComponent(groupId)}`
  try {
    const answer = await httpGetJson(url, Math.min(flags.timeout, BROOK_VIEW_TIMEOUT_MS))
    const body = answer.body as { partitions?: unknown } | undefined
    if (answer.status === 200 && body !== undefined && Array.isArray(body.partitions))
      return { url: base, partitions: body.partitions as PartitionView[] }
    if (answer.status === 404 && body === undefined)
      return { url: base, partitions: [], missing: `${base} knows no share group '${groupId}'` }
    return { url: base, partitions: undefined, missing: `${base} is not Brook's HTTP port` }
  } catch {
    return { url: base, partitions: undefined, missing: `${base} did not answer` }
  }
}

/** The group's dead-letter topic and its depth (decision 0006: letters not yet redriven), or nulls. */
async function deadLetters(
  admin: Admin,
  flags: Flags,
  groupId: string,
): Promise<{ topic: string | null; records: number | null; pending: number | null; exact: boolean }> {
  const topic = await deadLetterTopicOf(admin, groupId)
  if (topic === null) return { topic, records: null, pending: null, exact: true }
  try {
    const depth = await deadLetterDepth(admin, groupId, {
      clientOptions: clientOptions(flags),
      deadLetterTopic: topic,
    })
    return { topic, records: depth.total, pending: depth.pending, exact: depth.exact }
  } catch {
    return { topic, records: null, pending: null, exact: true }
  }
}

/** DescribeShareGroupOffsets, or [] where the cluster does not serve it (Kafka before 4.1). */
async function shareOffsets(admin: Admin, groupId: string): Promise<ShareGroupPartitionOffset[]> {
  try {
    return await admin.shareGroupOffsets(groupId)
  } catch (error) {
    if ((error as { code?: string }).code === 'BROOK_ERR_UNSUPPORTED_VERSION') return []
    throw error
  }
}

function text(buffer: Buffer | null): string | null {
  return buffer === null ? null : buffer.toString('utf8')
}

/** Asks on a terminal; without one, `--yes` is required. */
async function confirm(question: string, yes: boolean | undefined): Promise<boolean> {
  if (yes) return true
  if (!process.stdin.isTTY || !process.stderr.isTTY)
    throw new UsageError(`${question.replace(/\?$/, '')}: add --yes to confirm`)
  const prompt = createInterface({ input: process.stdin, output: process.stderr })
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim())
  } finally {
    prompt.close()
  }
}

const json = '--json'
const jsonHelp = 'print JSON instead of a table'
const httpOption = '--http <url>'
const httpHelp =
  "Brook's HTTP port for records in flight and delivery counts (Brook only; default $BROOK_HTTP or http://BOOTSTRAP-HOST:9093)"

export function addQueueCommands(program: Command): void {
  const queues = program
    .command('queues')
    .description('share groups (queues, KIP-932): list, describe, peek, redrive, purge')
  withConnection(queues.command('list').description('list share groups'))
    .option(json, jsonHelp)
    .action(async (flags: Flags) =>
      withAdmin(flags, async (admin) => {
        const list = (await admin.listShareGroups()).sort((a, b) => (a.groupId < b.groupId ? -1 : 1))
        if (flags.json) printJson(list)
        else
          printTable(
            ['GROUP', 'STATE'],
            list.map((g) => [g.groupId, g.state]),
          )
      }),
    )

  withConnection(
    queues
      .command('describe')
      .description(
        "a share group's members, start offsets and lag, records in flight and delivery counts (Brook), dead letters",
      ),
  )
    .argument('<group>', 'share group id')
    .option(json, jsonHelp)
    .option(httpOption, httpHelp)
    .action(async (groupId: string, flags: Flags) =>
      withAdmin(flags, async (admin) => {
        const [group] = await admin.describeShareGroups([groupId])
        const offsets = await shareOffsets(admin, groupId)
        const view = await brookView(flags, groupId)
        const dlq = await deadLetters(admin, flags, groupId)
        const byKey = new Map((view.partitions ?? []).map((p) => [`${p.topic}:${p.partition}`, p]))
        const keys = new Set([...offsets.map((o) => `${o.topic}:${o.partition}`), ...byKey.keys()])
        const partitions = [...keys]
          .map((key) => {
            const o = offsets.find((x) => `${x.topic}:${x.partition}` === key)
            const v = byKey.get(key)
            return {
              topic: o?.topic ?? (v as PartitionView).topic,
              partition: o?.partition ?? (v as PartitionView).partition,
              startOffset: o?.startOffset ?? v?.startOffset ?? -1,
              lag: o !== undefined && o.lag >= 0 ? o.lag : (v?.lag ?? null),
              available: v?.available ?? null,
              inFlight: v?.inFlight ?? null,
              acknowledged: v?.acknowledged ?? null,
              archived: v?.archived ?? null,
              deliveryCounts: v?.deliveryCounts ?? null,
            }
          })
          .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1))
        const sum = (field: 'lag' | 'available' | 'inFlight') =>
          partitions.some((p) => p[field] === null)
            ? null
            : partitions.reduce((t, p) => t + (p[field] ?? 0), 0)
        const described = {
          ...group,
          lag: sum('lag'),
          available: sum('available'),
          inFlight: sum('inFlight'),
          partitions,
          deadLetterTopic: dlq.topic,
          deadLetterRecords: dlq.records,
          deadLetterPending: dlq.pending,
          brookState: view.partitions === undefined ? null : view.url,
        }
        if (flags.json) {
          printJson(described)
          return
        }
        const show = (n: number | null) => (n === null ? '-' : String(n))
        process.stdout.write(
          `share group ${group.groupId}: ${group.state}, epoch ${group.epoch}, ${group.members.length} member(s), lag ${show(described.lag)}, in flight ${show(described.inFlight)}\n`,
        )
        printMembers(group.members)
        if (partitions.length > 0) {
          process.stdout.write('\n')
          printTable(
            ['TOPIC', 'PARTITION', 'START', 'LAG', 'AVAILABLE', 'IN-FLIGHT', 'DELIVERIES'],
            partitions.map((p) => [
              p.topic,
              p.partition,
              p.startOffset,
              p.lag,
              p.available,
              p.inFlight,
              p.deliveryCounts === null
                ? null
                : Object.entries(p.deliveryCounts)
                    .map(([count, records]) => `${records}x${count}`)
                    .join(',') || '-',
            ]),
          )
        }
        process.stdout.write(
          dlq.topic === null
            ? '\nno dead-letter topic (errors.deadletterqueue.topic.name)\n'
            : `\ndead letters: ${show(dlq.records)} record(s) in ${dlq.topic}, ${show(dlq.pending)}${dlq.exact ? '' : '+'} of this group not redriven\n`,
        )
        if (view.missing !== undefined && view.partitions === undefined)
          process.stdout.write(`records in flight and delivery counts: Brook only (${view.missing})\n`)
      }),
    )

  withConnection(
    queues
      .command('peek')
      .description(
        'show records waiting in a queue without acquiring them (plain reads from the share start offset: no delivery count changes)',
      ),
  )
    .argument('<group>', 'share group id')
    .option('-t, --topic <topic>', 'only this topic (repeatable)', collect, [])
    .option('-n, --count <n>', 'most records to show', positive, 10)
    .option('--all', 'also records already acknowledged or archived past the start offset (Brook)')
    .option(json, 'print JSON')
    .option(httpOption, httpHelp)
    .action(async (groupId: string, flags: Flags & { topic: string[]; count: number; all?: boolean }) => {
      const { offsets, ends } = await withAdmin(flags, async (admin) => {
        const found = (await shareOffsets(admin, groupId)).filter(
          (o) => o.startOffset >= 0 && (flags.topic.length === 0 || flags.topic.includes(o.topic)),
        )
        const latest = new Map<string, Map<number, number>>()
        for (const topic of new Set(found.map((o) => o.topic)))
          latest.set(topic, await admin.listOffsets(topic, 'latest'))
        return { offsets: found, ends: latest }
      })
      const view = await brookView(flags, groupId)
      const stateOf = (topic: string, partition: number, offset: number) => {
        const p = view.partitions?.find((x) => x.topic === topic && x.partition === partition)
        if (p === undefined)
          return view.partitions === undefined ? null : { state: 'AVAILABLE', deliveryCount: 0 }
        const run = p.runs.find((r) => r.firstOffset <= offset && offset <= r.lastOffset)
        return run === undefined
          ? { state: 'AVAILABLE', deliveryCount: 0 }
          : { state: run.state, deliveryCount: run.deliveryCount, memberId: run.memberId }
      }
      const shown: Array<Record<string, unknown>> = []
      for (const topic of new Set(offsets.map((o) => o.topic))) {
        if (shown.length >= flags.count) break
        const ranges = new Map(
          offsets
            .filter((o) => o.topic === topic)
            .map((o) => [o.partition, { from: o.startOffset, end: ends.get(topic)?.get(o.partition) ?? 0 }]),
        )
        await readTopicRanges(clientOptions(flags), topic, ranges, (m) => {
          const state = stateOf(m.topic, m.partition, m.offset)
          if (!flags.all && state !== null && (state.state === 'ACKNOWLEDGED' || state.state === 'ARCHIVED'))
            return true
          shown.push({
            topic: m.topic,
            partition: m.partition,
            offset: m.offset,
            state: state?.state ?? null,
            deliveryCount: state?.deliveryCount ?? null,
            memberId: (state as { memberId?: string | null } | null)?.memberId ?? null,
            key: text(m.key),
            value: text(m.value),
          })
          return shown.length >= flags.count ? 'stop' : true
        })
      }
      shown.sort((a, b) =>
        a.topic === b.topic
          ? (a.partition as number) - (b.partition as number) || (a.offset as number) - (b.offset as number)
          : (a.topic as string) < (b.topic as string)
            ? -1
            : 1,
      )
      if (flags.json) {
        printJson(shown)
        return
      }
      if (shown.length === 0) {
        process.stderr.write(`queue ${groupId} has nothing waiting\n`)
        return
      }
      printTable(
        ['TOPIC', 'PARTITION', 'OFFSET', 'STATE', 'DELIVERIES', 'KEY', 'VALUE'],
        shown.map((r) => [r.topic, r.partition, r.offset, r.state, r.deliveryCount, r.key, r.value]),
      )
      if (view.partitions === undefined)
        process.stderr.write(
          `record states: Brook only (${view.missing}); records from the start offset shown\n`,
        )
    })

  withConnection(
    queues
      .command('redrive')
      .description(
        "move a share group's dead letters back to their source topic (then delete them from the dead-letter topic)",
      ),
  )
    .argument('<group>', 'share group id whose dead letters to move')
    .option(
      '--dlq-topic <topic>',
      "the dead-letter topic (default: the group's errors.deadletterqueue.topic.name)",
    )
    .option('-n, --count <n>', 'move at most this many records', positive)
    .option('--dry-run', 'count what would move, change nothing')
    .option(json, 'print JSON')
    .action(async (groupId: string, flags: Flags & { dlqTopic?: string; count?: number; dryRun?: boolean }) =>
      redrive(groupId, flags),
    )

  withConnection(
    queues
      .command('purge')
      .description(
        'drop what a queue holds: its start offset moves to the end of each topic (the group must have no members); --dead-letters empties its dead-letter topic instead',
      ),
  )
    .argument('<group>', 'share group id')
    .option(
      '-t, --topic <topic>',
      'only this topic (repeatable; default every topic the group has state for)',
      collect,
      [],
    )
    .option('--dead-letters', "delete the records of the group's dead-letter topic instead")
    .option('-y, --yes', 'do not ask for confirmation')
    .option(json, 'print JSON')
    .action(
      async (groupId: string, flags: Flags & { topic: string[]; deadLetters?: boolean; yes?: boolean }) =>
        withAdmin(flags, async (admin) => {
          if (flags.deadLetters) {
            const dlq = await deadLetters(admin, flags, groupId)
            if (dlq.topic === null)
              throw new CliFailure(
                `share group '${groupId}' has no dead-letter topic (errors.deadletterqueue.topic.name)`,
              )
            if (!(await confirm(`delete ${dlq.records ?? 'all'} dead letter(s) of ${dlq.topic}?`, flags.yes)))
              return
            await admin.deleteRecords(dlq.topic, 'latest')
            if (flags.json) printJson({ deadLetterTopic: dlq.topic, deleted: dlq.records })
            else process.stderr.write(`deleted ${dlq.records ?? 'all'} dead letter(s) of ${dlq.topic}\n`)
            return
          }
          const offsets = await shareOffsets(admin, groupId)
          const topics = flags.topic.length > 0 ? flags.topic : [...new Set(offsets.map((o) => o.topic))]
          if (topics.length === 0)
            throw new CliFailure(`share group '${groupId}' has no share state to purge`)
          let queued = 0
          for (const topic of topics) {
            const latest = await admin.listOffsets(topic, 'latest')
            for (const [p, end] of latest) {
              const o = offsets.find((x) => x.topic === topic && x.partition === p)
              if (o === undefined || o.startOffset < 0) continue
              queued += o.lag >= 0 ? o.lag : Math.max(0, end - o.startOffset)
            }
          }
          if (
            !(await confirm(
              `purge ${queued} record(s) queued for ${groupId} in ${topics.join(', ')}?`,
              flags.yes,
            ))
          )
            return
          try {
            for (const topic of topics) await admin.resetShareGroupOffsets(groupId, topic, 'latest')
          } catch (error) {
            if ((error as { kafkaName?: string }).kafkaName === 'NON_EMPTY_GROUP')
              throw new CliFailure(
                `share group '${groupId}' has members: stop its consumers first, then purge (NON_EMPTY_GROUP)`,
              )
            throw error
          }
          if (flags.json) printJson({ groupId, topics, purged: queued })
          else process.stderr.write(`purged ${queued} record(s) of queue ${groupId} (${topics.join(', ')})\n`)
        }),
    )
}

async function redrive(
  groupId: string,
  flags: Flags & { dlqTopic?: string; count?: number; dryRun?: boolean },
): Promise<void> {
  const reading = new Progress('reading dead letters', { off: flags.json })
  let moving: Progress | undefined
  const report = await withAdmin(flags, async (admin) => {
    const topic = flags.dlqTopic ?? (await deadLetterTopicOf(admin, groupId))
    if (topic === null)
      throw new CliFailure(
        `share group '${groupId}' has no dead-letter topic (errors.deadletterqueue.topic.name); give --dlq-topic`,
      )
    try {
      return await redriveDeadLetters(admin, groupId, {
        clientOptions: clientOptions(flags),
        deadLetterTopic: topic,
        dryRun: flags.dryRun,
        count: flags.count,
        onProgress: (p) => {
          if (p.phase === 'reading') reading.update(p.done)
          else {
            if (moving === undefined) {
              reading.done()
              moving = new Progress(`redriving from ${topic}`, { off: flags.json, total: p.total })
            }
            moving.update(p.done)
          }
        },
      })
    } finally {
      reading.done()
      moving?.done()
    }
  })
  const sources = Object.entries(report.bySource)
    .map(([t, n]) => `${n} to ${t}`)
    .join(', ')
  if (flags.json) printJson(report)
  else if (flags.dryRun || report.redriven === 0)
    process.stderr.write(
      `${report.movable} dead letter(s) of ${groupId} in ${report.deadLetterTopic} ${flags.dryRun ? 'would move' : 'to move'}${sources === '' ? '' : ` (${sources})`}${report.remaining > 0 ? `; ${report.remaining} record(s) not read yet` : ''}\n`,
    )
  else
    process.stderr.write(
      `redrove ${report.redriven} dead letter(s) of ${groupId} from ${report.deadLetterTopic} (${sources}); ${report.deleted} record(s) deleted from it${report.remaining > 0 ? `; ${report.remaining} record(s) not read yet` : ''}\n`,
    )
}
