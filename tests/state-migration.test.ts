// A broker starting on a data directory written before the shared state log (tests/fixtures/state-v1,
// made by that code: metadata.log/.snapshot with CRC-32, groups.log/.snapshot with CRC-32C) finds every
// topic, config override and committed offset, moves them into the state logs, and keeps them after
// another restart.
import assert from 'node:assert/strict'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { defaultBrokerConfig, openBrokerContext } from '../src/broker/index.js'
import { silentLogger } from '../src/core/index.js'
import { CryptoRandom, NodeFileSystem, SystemClock } from '../src/io/index.js'

const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../..')
const fixture = path.join(root, 'tests/fixtures/state-v1')

interface Expected {
  clusterId: string
  topics: {
    name: string
    topicId: string
    partitionCount: number
    replicationFactor: number
    configs: object
  }[]
  offsets: Record<string, [string, number, number, number, string][]>
}

async function check(dataDir: string, expected: Expected, label: string): Promise<void> {
  const opened = await openBrokerContext({
    config: { ...defaultBrokerConfig(dataDir), groupInitialRebalanceDelayMs: 0 },
    fs: new NodeFileSystem(),
    clock: new SystemClock(),
    logger: silentLogger,
    random: new CryptoRandom(),
  })
  try {
    const { context } = opened
    assert.equal(context.clusterId, expected.clusterId, `${label}: cluster id`)
    assert.deepEqual(
      context.topics.topics().map((t) => ({ ...t, configs: { ...t.configs } })),
      expected.topics,
      `${label}: topics`,
    )
    assert.deepEqual(
      context.groups
        .listGroups()
        .map((g) => g.groupId)
        .sort(),
      Object.keys(expected.offsets).sort(),
      `${label}: groups`,
    )
    for (const [groupId, offsets] of Object.entries(expected.offsets)) {
      const fetched = context.groups.fetchOffsets({ groupId, memberId: null, memberEpoch: -1, topics: null })
      const found = fetched.topics.flatMap((t) =>
        t.partitions.map((p) => [
          t.name,
          p.partitionIndex,
          p.committedOffset,
          p.committedLeaderEpoch,
          p.metadata,
        ]),
      )
      const order = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort()
      assert.deepEqual(order(found), order(offsets), `${label}: offsets of ${groupId}`)
    }
  } finally {
    await opened.close()
  }
}

test('a data directory in the format before the state log is migrated with every topic, config and offset (#7)', async () => {
  const expected = JSON.parse(readFileSync(path.join(fixture, 'expected.json'), 'utf8')) as Expected
  assert.ok(
    expected.topics.length >= 4 && Object.keys(expected.offsets).length >= 2,
    'the fixture holds data',
  )
  const dataDir = mkdtempSync(path.join(tmpdir(), 'brook-migration-'))
  try {
    cpSync(path.join(fixture, 'metadata'), path.join(dataDir, 'metadata'), { recursive: true })
    cpSync(path.join(fixture, 'groups'), path.join(dataDir, 'groups'), { recursive: true })
    await check(dataDir, expected, 'first start')
    for (const old of [
      'metadata/metadata.log',
      'metadata/metadata.snapshot',
      'groups/groups.log',
      'groups/groups.snapshot',
    ]) {
      assert.ok(!existsSync(path.join(dataDir, old)), `${old} is gone`)
    }
    assert.ok(
      readdirSync(path.join(dataDir, 'metadata/state')).some((name) => name.endsWith('.snapshot')),
      'the metadata state log holds a snapshot',
    )
    assert.ok(
      readdirSync(path.join(dataDir, 'groups/state')).some((name) => name.endsWith('.snapshot')),
      'the groups state log holds a snapshot',
    )
    await check(dataDir, expected, 'second start')
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
})
