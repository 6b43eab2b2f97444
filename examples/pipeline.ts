// Chained topics: orders in, invoices out, at-least-once (an order is committed only after its invoice was
// acknowledged). Run with `node dist/examples/pipeline.js`.
import { pipeline, serializers } from '../src/index.js'

interface Order {
  id: number
  amountCents: number
}

const running = pipeline({
  consumer: {
    bootstrap: process.env.BOOTSTRAP ?? 'localhost:9092',
    groupId: 'billing',
    topics: ['orders'],
    valueDeserializer: serializers.json<Order>(),
  },
  producer: { valueSerializer: serializers.json<{ orderId: number; totalCents: number }>() },
  transform: (order) => ({
    topic: 'invoices',
    key: order.key,
    value: { orderId: order.value.id, totalCents: Math.round(order.value.amountCents * 1.2) },
  }),
})
process.once('SIGINT', () => void running.close())
await running.done
