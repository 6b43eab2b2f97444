// BrokerMetrics from diagnostics events: counts per topic, the bounded topic and group labels, lag at
// scrape time, and that nothing is listened to after close.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { brookChannels } from '../core/index.js'
import { BrokerMetrics, type LagSource, OTHER_GROUP_LABEL, type ShareGroupStats } from './index.js'

/** The value of the sample `name{labels}` in Prometheus text, or undefined if absent. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1))
  }
  return undefined
}

test('records and bytes in and out are counted per topic from the channels', async () => {
  const metrics = new BrokerMetrics({ topicsMax: 10, groupsMax: 10, defaultMetrics: false })
  try {
    brookChannels.recordsIn.publish({ topic: 'a', records: 3, bytes: 100 })
    brookChannels.recordsIn.publish({ topic: 'a', records: 2, bytes: 50 })
    brookChannels.recordsOut.publish({ topic: 'a', records: 4, bytes: 120 })
    brookChannels.request.publish({ apiKey: 0, apiVersion: 9, durationMs: 2, error: 'none' })
    brookChannels.connectionOpened.publish({ id: 1 })
    const text = await metrics.text()
    assert.equal(sample(text, 'brook_records_in_total{topic="a"}'), 5)
    assert.equal(sample(text, 'brook_bytes_in_total{topic="a"}'), 150)
    assert.equal(sample(text, 'brook_records_out_total{topic="a"}'), 4)
    assert.equal(sample(text, 'brook_bytes_out_total{topic="a"}'), 120)
    assert.equal(sample(text, 'brook_requests_total{api="Produce",error="none"}'), 1)
    assert.equal(sample(text, 'brook_request_duration_seconds_bucket{le="0.0025",api="Produce"}'), 1)
    assert.equal(sample(text, 'brook_connections'), 1)
  } finally {
    metrics.close()
  }
})

test('topics beyond metrics-topics-max are summed under topic="_other"', async () => {
  const metrics = new BrokerMetrics({ topicsMax: 2, groupsMax: 10, defaultMetrics: false })
  try {
    for (const topic of ['t1', 't2', 't3', 't4', 't1'])
      brookChannels.recordsIn.publish({ topic, records: 1, bytes: 10 })
    const text = await metrics.text()
    assert.equal(sample(text, 'brook_records_in_total{topic="t1"}'), 2)
    assert.equal(sample(text, 'brook_records_in_total{topic="t2"}'), 1)
    assert.equal(sample(text, 'brook_records_in_total{topic="t3"}'), undefined)
    assert.equal(sample(text, 'brook_records_in_total{topic="_other"}'), 2)
    assert.equal(text.match(/^brook_records_in_total\{/gm)?.length, 3)
  } finally {
    metrics.close()
  }
})

test('lag is the high watermark minus the committed offset, for at most metrics-groups-max groups', async () => {
  const ends = new Map([
    ['t/0', 10],
    ['t/1', 7],
  ])
  const committed: Record<string, { topic: string; partition: number; offset: number }[]> = {
    g1: [
      { topic: 't', partition: 0, offset: 4 },
      { topic: 't', partition: 1, offset: 7 },
      { topic: 'gone', partition: 0, offset: 1 },
    ],
    g2: [{ topic: 't', partition: 0, offset: -1 }],
    g3: [{ topic: 't', partition: 0, offset: 0 }],
  }
  const lag: LagSource = {
    groupIds: () => Object.keys(committed),
    committedOffsets: (group) => committed[group],
    highWatermark: async (topic, partition) => ends.get(`${topic}/${partition}`),
  }
  const metrics = new BrokerMetrics({ topicsMax: 10, groupsMax: 2, defaultMetrics: false, lag })
  try {
    let text = await metrics.text()
    assert.equal(sample(text, 'brook_consumer_group_lag{group="g1",topic="t",partition="0"}'), 6)
    assert.equal(sample(text, 'brook_consumer_group_lag{group="g1",topic="t",partition="1"}'), 0)
    assert.equal(
      text.match(/^brook_consumer_group_lag\{/gm)?.length,
      2,
      'no commit, gone topic, g3 beyond max',
    )
    assert.equal(sample(text, 'brook_consumer_groups_untracked'), 1)
    // Read at each scrape, not kept: a new high watermark shows in the next one.
    ends.set('t/0', 12)
    text = await metrics.text()
    assert.equal(sample(text, 'brook_consumer_group_lag{group="g1",topic="t",partition="0"}'), 8)
  } finally {
    metrics.close()
  }
})

test('after close nothing is subscribed, so the hot paths skip building events', () => {
  const metrics = new BrokerMetrics({ topicsMax: 10, groupsMax: 10, defaultMetrics: false })
  assert.equal(brookChannels.recordsIn.hasSubscribers, true)
  metrics.close()
  for (const channel of Object.values(brookChannels)) assert.equal(channel.hasSubscribers, false)
})

test('share groups: in flight, available, members and lag read at each scrape, for at most metrics-groups-max groups (#11)', async () => {
  const part = (topic: string, partition: number, available: number, inFlight: number, lag: number) => ({
    topic,
    partition,
    available,
    inFlight,
    lag,
  })
  let groups: ShareGroupStats[] = [
    { groupId: 'q1', members: 2, partitions: [part('jobs', 0, 5, 3, 8), part('jobs', 1, 1, 0, 1)] },
    { groupId: 'q2', members: 0, partitions: [] },
    { groupId: 'q3', members: 1, partitions: [part('jobs', 0, 9, 9, 18)] },
  ]
  let reads = 0
  const metrics = new BrokerMetrics({
    topicsMax: 10,
    groupsMax: 2,
    defaultMetrics: false,
    shares: {
      async groups(groupsMax) {
        reads++
        return groups.slice(0, groupsMax)
      },
      groupCount: () => groups.length,
    },
  })
  try {
    let text = await metrics.text()
    assert.equal(reads, 1, 'one read of the share groups per scrape')
    assert.equal(sample(text, 'brook_share_group_records_in_flight{group="q1"}'), 3)
    assert.equal(sample(text, 'brook_share_group_records_available{group="q1"}'), 6)
    assert.equal(sample(text, 'brook_share_group_members{group="q1"}'), 2)
    assert.equal(sample(text, 'brook_share_group_lag{group="q1",topic="jobs",partition="0"}'), 8)
    assert.equal(sample(text, 'brook_share_group_lag{group="q1",topic="jobs",partition="1"}'), 1)
    assert.equal(sample(text, 'brook_share_group_records_in_flight{group="q2"}'), 0)
    assert.equal(sample(text, 'brook_share_group_records_in_flight{group="q3"}'), undefined)
    assert.equal(sample(text, 'brook_share_groups_untracked'), 1)
    groups = groups.slice(1)
    text = await metrics.text()
    assert.equal(
      sample(text, 'brook_share_group_records_in_flight{group="q1"}'),
      undefined,
      'read at each scrape',
    )
    assert.equal(sample(text, 'brook_share_group_lag{group="q1",topic="jobs",partition="0"}'), undefined)
    assert.equal(sample(text, 'brook_share_group_records_in_flight{group="q3"}'), 9)
    assert.equal(sample(text, 'brook_share_groups_untracked'), 0)
  } finally {
    metrics.close()
  }
})

test('dead letters per share group and reason, from the dead-letters channel; groups beyond the bound are _other (#11)', async () => {
  const metrics = new BrokerMetrics({ topicsMax: 10, groupsMax: 1, defaultMetrics: false })
  try {
    brookChannels.deadLetters.publish({ group: 'q1', records: 2, reason: 'rejected' })
    brookChannels.deadLetters.publish({ group: 'q1', records: 3, reason: 'delivery-count-limit' })
    brookChannels.deadLetters.publish({ group: 'q1', records: 1, reason: 'rejected' })
    brookChannels.deadLetters.publish({ group: 'q2', records: 4, reason: 'rejected' })
    const text = await metrics.text()
    assert.equal(sample(text, 'brook_share_group_dead_letters_total{group="q1",reason="rejected"}'), 3)
    assert.equal(
      sample(text, 'brook_share_group_dead_letters_total{group="q1",reason="delivery-count-limit"}'),
      3,
    )
    assert.equal(
      sample(text, `brook_share_group_dead_letters_total{group="${OTHER_GROUP_LABEL}",reason="rejected"}`),
      4,
    )
  } finally {
    metrics.close()
  }
})
