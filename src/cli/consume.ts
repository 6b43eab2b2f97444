// `brook consume TOPIC`: prints records with a kcat-like --format, from the beginning, the end, an offset
// or a time, optionally in a group; stops after --count records or, with --exit, at the end of the topic.
import { type Command, InvalidArgumentError as CommanderArgumentError } from 'commander'
import { Admin, Consumer } from '../client/index.js'
import { type ConnectionFlags, clientOptions, integer, positive, withConnection } from './common.js'
import { compileFormat } from './format.js'
import { UsageError } from './output.js'
import { Progress } from './progress.js'

interface ConsumeFlags extends ConnectionFlags {
  fromBeginning?: boolean
  offset?: number | 'beginning' | 'end'
  fromTime?: number
  group?: string
  partition?: number
  count?: number
  exit?: boolean
  format: string
  pretty?: boolean
}

function offsetSpec(value: string): number | 'beginning' | 'end' {
  if (value === 'beginning' || value === 'end') return value
  if (!/^\d+$/.test(value))
    throw new CommanderArgumentError(`'${value}' is not an offset, 'beginning' or 'end'`)
  return Number(value)
}

function timeSpec(value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value)
  if (!Number.isFinite(ms))
    throw new CommanderArgumentError(`'${value}' is not a time (ms since 1970 or ISO 8601)`)
  return ms
}

export function addConsumeCommand(program: Command): void {
  withConnection(
    program.command('consume').description('print records of a topic').argument('<topic>', 'topic to read'),
  )
    .option('--from-beginning', 'start at the first record (in a group: when it has no committed offset)')
    .option(
      '-o, --offset <offset>',
      "start at this offset, or 'beginning' or 'end' (not with --group)",
      offsetSpec,
    )
    .option(
      '--from-time <time>',
      'start at the first record at or after this time (ms or ISO 8601)',
      timeSpec,
    )
    .option('-g, --group <group>', 'consume as a member of this group, committing offsets')
    .option('-p, --partition <n>', 'only this partition (not with --group)', integer)
    .option('-c, --count <n>', 'stop after n records', positive)
    .option('-e, --exit', 'stop at the end of the topic (the end when the command started)')
    .option('-f, --format <format>', 'output format: %t %p %o %k %s %h %T %K %S, \\n \\t', '%s\\n')
    .option('--pretty', 'pretty-print values that are JSON')
    .action(async (topic: string, flags: ConsumeFlags) => consume(topic, flags))
}

async function consume(topic: string, flags: ConsumeFlags): Promise<void> {
  const starts = [flags.fromBeginning, flags.offset !== undefined, flags.fromTime !== undefined].filter(
    Boolean,
  )
  if (starts.length > 1) throw new UsageError('give only one of --from-beginning, --offset, --from-time')
  if (flags.group !== undefined && (flags.offset !== undefined || flags.fromTime !== undefined))
    throw new UsageError('--offset and --from-time do not go with --group (use groups reset-offsets)')
  if (flags.group !== undefined && flags.partition !== undefined)
    throw new UsageError('--partition does not go with --group')
  let render: ReturnType<typeof compileFormat>
  try {
    render = compileFormat(flags.format, flags.pretty === true)
  } catch (error) {
    throw new UsageError((error as Error).message)
  }

  // Where each partition starts and ends, so --exit knows when everything there was has been printed.
  const admin = new Admin(clientOptions(flags))
  const remaining = new Map<number, number>()
  const startAt = new Map<number, number>()
  try {
    const [info] = await admin.describeTopics([topic])
    const partitions = info.partitions
      .map((p) => p.partition)
      .filter((p) => flags.partition === undefined || p === flags.partition)
    if (partitions.length === 0) throw new UsageError(`topic ${topic} has no partition ${flags.partition}`)
    const ends = await admin.listOffsets(topic, 'latest', { partitions })
    const earliest = await admin.listOffsets(topic, 'earliest', { partitions })
    const fromTime =
      flags.fromTime === undefined
        ? undefined
        : await admin.listOffsets(topic, flags.fromTime, { partitions })
    const committed =
      flags.group === undefined
        ? undefined
        : await admin.groupOffsets(flags.group, { topics: [topic] }).catch(() => [])
    for (const p of partitions) {
      const end = ends.get(p) ?? 0
      const first = earliest.get(p) ?? 0
      let start: number
      if (committed !== undefined) {
        const c = committed.find((o) => o.partition === p)?.offset ?? -1
        start = c >= 0 ? c : flags.fromBeginning ? first : end
      } else if (flags.fromBeginning || flags.offset === 'beginning') start = first
      else if (typeof flags.offset === 'number') start = Math.max(first, Math.min(flags.offset, end))
      else if (fromTime !== undefined) start = (fromTime.get(p) ?? -1) < 0 ? end : (fromTime.get(p) as number)
      else start = end
      startAt.set(p, start)
      if (start < end) remaining.set(p, end)
    }
  } finally {
    await admin.close()
  }
  if (flags.exit && remaining.size === 0) return

  const stop = new AbortController()
  const onSignal = () => stop.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const consumer = new Consumer({
    ...clientOptions(flags),
    topics: [topic],
    groupId: flags.group,
    fromBeginning: flags.fromBeginning === true,
    signal: stop.signal,
  })
  let printed = 0
  // On a terminal whose records go to a file or a pipe, a count on stderr (never mixed into the records).
  const progress = new Progress(`consumed from ${topic}`, { off: process.stdout.isTTY === true })
  try {
    if (flags.group === undefined) {
      await consumer.start()
      for (const tp of consumer.assignment()) {
        const at = startAt.get(tp.partition)
        if (at === undefined) consumer.pause([tp])
        else consumer.seek(topic, tp.partition, at)
      }
    }
    for await (const message of consumer) {
      process.stdout.write(render(message))
      printed++
      progress.update(printed, flags.count)
      const end = remaining.get(message.partition)
      if (end !== undefined && message.offset + 1 >= end) remaining.delete(message.partition)
      const done =
        (flags.count !== undefined && printed >= flags.count) || (flags.exit && remaining.size === 0)
      if (done) {
        if (flags.group !== undefined) await consumer.commit(message)
        break
      }
    }
  } finally {
    progress.done()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await consumer.close()
  }
}
