// `brook topics`, `groups`, `configs` and `cluster`: Admin calls printed as tables or JSON.
import type { Command } from 'commander'
import { Admin, type ConfigResourceType } from '../client/index.js'
import { type ConnectionFlags, clientOptions, collect, integer, positive, withConnection } from './common.js'
import { parsePairs, printJson, printMembers, printTable, UsageError } from './output.js'

type Flags = ConnectionFlags & { json?: boolean }

/** Runs `body` with an Admin for the command's flags and closes it afterwards. */
async function withAdmin<T>(flags: ConnectionFlags, body: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin({ ...clientOptions(flags), operationTimeoutMs: flags.timeout })
  try {
    return await body(admin)
  } finally {
    await admin.close()
  }
}

const json = '--json'
const jsonHelp = 'print JSON instead of a table'

export function addTopicCommands(program: Command): void {
  const topics = program.command('topics').description('list, create, describe, alter and delete topics')
  withConnection(topics.command('list').description('list topics'))
    .option(json, jsonHelp)
    .option('--internal', 'include internal topics')
    .action(async (flags: Flags & { internal?: boolean }) =>
      withAdmin(flags, async (admin) => {
        const names = (await admin.listTopics({ includeInternal: flags.internal === true })).sort()
        const infos = names.length === 0 ? [] : await admin.describeTopics(names)
        const rows = infos
          .map((t) => ({
            name: t.name,
            partitions: t.partitions.length,
            topicId: t.topicId,
            internal: t.isInternal,
          }))
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        if (flags.json) printJson(rows)
        else
          printTable(
            ['NAME', 'PARTITIONS'],
            rows.map((r) => [r.name, r.partitions]),
          )
      }),
    )
  withConnection(topics.command('create').description('create a topic').argument('<name>', 'topic name'))
    .option('-p, --partitions <n>', 'number of partitions', positive, 1)
    .option('-r, --replication-factor <n>', 'replicas of each partition', positive, 1)
    .option('-c, --config <name=value>', 'a topic config (repeatable)', collect, [])
    .option('--if-not-exists', 'succeed when the topic already exists')
    .action(
      async (
        name: string,
        flags: ConnectionFlags & {
          partitions: number
          replicationFactor: number
          config: string[]
          ifNotExists?: boolean
        },
      ) =>
        withAdmin(flags, async (admin) => {
          await admin.createTopics(
            [
              {
                topic: name,
                numPartitions: flags.partitions,
                replicationFactor: flags.replicationFactor,
                configs: Object.fromEntries(parsePairs(flags.config, 'config')),
              },
            ],
            { ifNotExists: flags.ifNotExists === true },
          )
          process.stderr.write(`created topic ${name} with ${flags.partitions} partition(s)\n`)
        }),
    )
  withConnection(topics.command('describe').description("a topic's partitions, offsets and configs"))
    .argument('<name>', 'topic name')
    .option(json, jsonHelp)
    .action(async (name: string, flags: Flags) =>
      withAdmin(flags, async (admin) => {
        const [info] = await admin.describeTopics([name])
        const earliest = await admin.listOffsets(name, 'earliest')
        const latest = await admin.listOffsets(name, 'latest')
        const configs = await admin.describeConfigs({ type: 'topic', name })
        const partitions = info.partitions.map((p) => ({
          partition: p.partition,
          leader: p.leaderId,
          replicas: p.replicas,
          isr: p.isr,
          earliestOffset: earliest.get(p.partition) ?? -1,
          latestOffset: latest.get(p.partition) ?? -1,
        }))
        if (flags.json) {
          printJson({
            name: info.name,
            topicId: info.topicId,
            internal: info.isInternal,
            partitions,
            configs,
          })
          return
        }
        process.stdout.write(`topic ${info.name} (id ${info.topicId}), ${partitions.length} partition(s)\n`)
        printTable(
          ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'EARLIEST', 'LATEST'],
          partitions.map((p) => [
            p.partition,
            p.leader,
            p.replicas.join(','),
            p.isr.join(','),
            p.earliestOffset,
            p.latestOffset,
          ]),
        )
        const set = Object.entries(configs).filter(([, v]) => v !== null)
        if (set.length > 0) {
          process.stdout.write('\n')
          printTable(['CONFIG', 'VALUE'], set)
        }
      }),
    )
  withConnection(topics.command('alter').description("grow a topic's partitions or change its configs"))
    .argument('<name>', 'topic name')
    .option('-p, --partitions <n>', 'total partitions after the change', positive)
    .option('-c, --config <name=value>', 'set a topic config (repeatable)', collect, [])
    .option('--delete-config <name>', 'remove a topic config (repeatable)', collect, [])
    .action(
      async (
        name: string,
        flags: ConnectionFlags & { partitions?: number; config: string[]; deleteConfig: string[] },
      ) => {
        if (flags.partitions === undefined && flags.config.length === 0 && flags.deleteConfig.length === 0)
          throw new UsageError('nothing to alter: give --partitions, --config or --delete-config')
        const changes: Record<string, string | null> = Object.fromEntries(parsePairs(flags.config, 'config'))
        for (const key of flags.deleteConfig) changes[key] = null
        await withAdmin(flags, async (admin) => {
          await admin.describeTopics([name])
          if (flags.partitions !== undefined) await admin.createPartitions(name, flags.partitions)
          if (Object.keys(changes).length > 0) await admin.alterConfigs({ type: 'topic', name }, changes)
          process.stderr.write(`altered topic ${name}\n`)
        })
      },
    )
  withConnection(topics.command('delete').description('delete topics'))
    .argument('<names...>', 'topic names')
    .action(async (names: string[], flags: ConnectionFlags) =>
      withAdmin(flags, async (admin) => {
        await admin.deleteTopics(names)
        process.stderr.write(`deleted ${names.join(', ')}\n`)
      }),
    )
}

export function addGroupCommands(program: Command): void {
  const groups = program.command('groups').description('list, describe, reset and delete consumer groups')
  withConnection(groups.command('list').description('list consumer groups'))
    .option(json, jsonHelp)
    .action(async (flags: Flags) =>
      withAdmin(flags, async (admin) => {
        const list = (await admin.listGroups()).sort((a, b) => (a.groupId < b.groupId ? -1 : 1))
        if (flags.json) printJson(list)
        else
          printTable(
            ['GROUP', 'TYPE', 'STATE', 'PROTOCOL'],
            list.map((g) => [g.groupId, g.type, g.state, g.protocolType]),
          )
      }),
    )
  withConnection(
    groups.command('describe').description("a group's members, assignment and lag per partition"),
  )
    .argument('<group>', 'group id')
    .option(json, jsonHelp)
    .action(async (groupId: string, flags: Flags) =>
      withAdmin(flags, async (admin) => {
        const [group] = await admin.describeGroups([groupId])
        const offsets = await admin.groupOffsets(groupId)
        const owner = new Map<string, string>()
        for (const m of group.members)
          for (const tp of m.assignment) owner.set(`${tp.topic}:${tp.partition}`, m.memberId)
        const partitions = offsets.map((o) => ({
          topic: o.topic,
          partition: o.partition,
          offset: o.offset,
          endOffset: o.endOffset,
          lag: o.lag,
          memberId: owner.get(`${o.topic}:${o.partition}`) ?? null,
        }))
        const lag = partitions.reduce((sum, p) => sum + p.lag, 0)
        if (flags.json) {
          printJson({ ...group, lag, partitions })
          return
        }
        process.stdout.write(
          `group ${group.groupId}: ${group.type}, ${group.state}, epoch ${group.epoch}, ${group.members.length} member(s), total lag ${lag}\n`,
        )
        printMembers(group.members)
        if (partitions.length > 0) {
          process.stdout.write('\n')
          printTable(
            ['TOPIC', 'PARTITION', 'OFFSET', 'END', 'LAG', 'MEMBER'],
            partitions.map((p) => [p.topic, p.partition, p.offset, p.endOffset, p.lag, p.memberId]),
          )
        }
      }),
    )
  withConnection(groups.command('reset-offsets').description("set a group's committed offsets of a topic"))
    .argument('<group>', 'group id')
    .requiredOption('-t, --topic <topic>', 'topic whose offsets to set')
    .option('--to-earliest', 'to the first offset of each partition')
    .option('--to-latest', 'to the end of each partition')
    .option('--to-offset <n>', 'to this offset', integer)
    .option('-p, --partition <n>', 'only this partition (with --to-offset)', integer)
    .option(json, jsonHelp)
    .action(
      async (
        groupId: string,
        flags: Flags & {
          topic: string
          toEarliest?: boolean
          toLatest?: boolean
          toOffset?: number
          partition?: number
        },
      ) => {
        const chosen = [flags.toEarliest, flags.toLatest, flags.toOffset !== undefined].filter(Boolean).length
        if (chosen !== 1)
          throw new UsageError('give exactly one of --to-earliest, --to-latest, --to-offset N')
        if (flags.partition !== undefined && flags.toOffset === undefined)
          throw new UsageError('--partition goes with --to-offset')
        await withAdmin(flags, async (admin) => {
          let to: 'earliest' | 'latest' | Record<number, number>
          if (flags.toEarliest) to = 'earliest'
          else if (flags.toLatest) to = 'latest'
          else {
            const info = (await admin.describeTopics([flags.topic]))[0]
            const list =
              flags.partition === undefined ? info.partitions.map((p) => p.partition) : [flags.partition]
            to = Object.fromEntries(list.map((p) => [p, flags.toOffset as number]))
          }
          await admin.resetOffsets(groupId, flags.topic, to)
          const offsets = (await admin.groupOffsets(groupId, { topics: [flags.topic] })).filter(
            (o) => flags.partition === undefined || o.partition === flags.partition,
          )
          if (flags.json) printJson(offsets)
          else
            printTable(
              ['TOPIC', 'PARTITION', 'OFFSET', 'END', 'LAG'],
              offsets.map((o) => [o.topic, o.partition, o.offset, o.endOffset, o.lag]),
            )
        })
      },
    )
  withConnection(groups.command('delete').description('delete groups (they must have no members)'))
    .argument('<groups...>', 'group ids')
    .action(async (ids: string[], flags: ConnectionFlags) =>
      withAdmin(flags, async (admin) => {
        await admin.deleteGroups(ids)
        process.stderr.write(`deleted ${ids.join(', ')}\n`)
      }),
    )
}

function resourceType(type: string): ConfigResourceType {
  if (type === 'topic' || type === 'broker' || type === 'group') return type
  throw new UsageError(`unknown resource type '${type}' (use topic, broker or group)`)
}

export function addConfigCommands(program: Command): void {
  const configs = program.command('configs').description('read and change topic, broker and group configs')
  withConnection(configs.command('get').description('configs of a topic, broker or group'))
    .argument('<type>', 'topic, broker or group')
    .argument('<name>', 'topic name, broker id or group id')
    .argument('[keys...]', 'only these configs')
    .option(json, jsonHelp)
    .action(async (type: string, name: string, keys: string[], flags: Flags) => {
      const resource = { type: resourceType(type), name }
      await withAdmin(flags, async (admin) => {
        const values = await admin.describeConfigs(resource, keys.length > 0 ? { keys } : {})
        if (flags.json) printJson(values)
        else
          printTable(
            ['CONFIG', 'VALUE'],
            Object.entries(values).sort(([a], [b]) => (a < b ? -1 : 1)),
          )
      })
    })
  withConnection(configs.command('set').description('set configs of a topic, broker or group'))
    .argument('<type>', 'topic, broker or group')
    .argument('<name>', 'topic name, broker id or group id')
    .argument('<pairs...>', 'name=value pairs (name= with no value removes the config)')
    .action(async (type: string, name: string, pairs: string[], flags: ConnectionFlags) => {
      const resource = { type: resourceType(type), name }
      const changes: Record<string, string | null> = {}
      for (const [key, value] of parsePairs(pairs, 'config')) changes[key] = value === '' ? null : value
      await withAdmin(flags, async (admin) => {
        await admin.alterConfigs(resource, changes)
        process.stderr.write(`updated ${type} ${name}\n`)
      })
    })
}

export function addClusterCommands(program: Command): void {
  const cluster = program.command('cluster').description('the cluster as a whole')
  withConnection(
    cluster.command('status').description('cluster id, controller, brokers, topic and group counts'),
  )
    .option(json, jsonHelp)
    .action(async (flags: Flags) =>
      withAdmin(flags, async (admin) => {
        const described = await admin.describeCluster()
        const topics = await admin.listTopics()
        const groups = await admin.listGroups()
        const status = { ...described, topics: topics.length, groups: groups.length }
        if (flags.json) {
          printJson(status)
          return
        }
        process.stdout.write(
          `cluster ${status.clusterId ?? '-'}, controller ${status.controllerId}, ${status.topics} topic(s), ${status.groups} group(s)\n\n`,
        )
        printTable(
          ['NODE', 'HOST', 'PORT', 'RACK'],
          status.brokers.map((b) => [b.nodeId, b.host, b.port, b.rack]),
        )
      }),
    )
}
