// A pool of queue workers on a share group (KIP-932; Kafka 4.2+): each job is handled by one worker, a
// job whose handler throws is released and comes back with a higher delivery count, and one that failed
// too often is rejected. Run with `node dist/examples/queue-workers.js` against a broker with share groups.
import { QueueConsumer, serializers } from '../src/index.js'

interface Job {
  id: number
  url: string
}

const jobs = new QueueConsumer({
  bootstrap: process.env.BOOTSTRAP ?? 'localhost:9092',
  groupId: 'thumbnailers',
  topics: ['jobs'],
  valueDeserializer: serializers.json<Job>(),
})
process.once('SIGINT', () => void jobs.close())

await jobs.process(
  async (job) => {
    if (job.deliveryCount > 3) {
      console.log(`giving up on job ${job.value.id}`)
      return job.reject()
    }
    console.log(`job ${job.value.id} (delivery ${job.deliveryCount}): ${job.value.url}`)
    // A handler that returns accepts the job; one that throws releases it for another try.
  },
  { concurrency: 8 },
)
