// Share-group offsets across SIGKILL (#8): a start offset set by AlterShareGroupOffsets and a deletion by
// DeleteShareGroupOffsets, answered just before a real broker process is killed, are there after the
// restart (both are synced to the share state log before the answer); the group is listed again.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Admin, Producer } from '../../src/index.js'
import { BrookProcess } from './brook-process.js'

test('an altered and a deleted share-group start offset survive SIGKILL (#8)', async () => {
  let brook = await BrookProcess.start()
  try {
    const bootstrap = `127.0.0.1:${brook.port}`
    let admin = new Admin({ bootstrap })
    await admin.createTopics([{ topic: 'jobs', numPartitions: 1 }])
    const producer = new Producer({ bootstrap })
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => producer.send({ topic: 'jobs', value: Buffer.from(`job-${i}`) })),
    )
    await producer.close()
    await admin.resetShareGroupOffsets('workers', 'jobs', { 0: 7 })
    await admin.resetShareGroupOffsets('others', 'jobs', { 0: 3 })
    await admin.deleteShareGroupOffsets('others', ['jobs'])
    await admin.close()
    await brook.kill()
    brook = await brook.restart()
    admin = new Admin({ bootstrap: `127.0.0.1:${brook.port}` })
    try {
      assert.deepEqual(await admin.shareGroupOffsets('workers'), [
        { topic: 'jobs', partition: 0, startOffset: 7, lag: 3 },
      ])
      assert.deepEqual(await admin.shareGroupOffsets('others', { topics: ['jobs'] }), [
        { topic: 'jobs', partition: 0, startOffset: -1, lag: -1 },
      ])
      const listed = await admin.listShareGroups()
      assert.deepEqual(
        listed.filter((g) => g.groupId === 'workers').map((g) => g.state),
        ['Empty'],
      )
    } finally {
      await admin.close()
    }
  } finally {
    await brook.cleanup()
  }
})
