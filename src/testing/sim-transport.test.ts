// SimTransport: the shared Transport contract, plus what only the simulation offers (the client's host).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { transportContract } from '../io/transport.contract.js'
import { SimTransport } from './sim-transport.js'

transportContract('SimTransport', () => ({ transport: new SimTransport(), host: '127.0.0.1' }))

test('connectFrom names the client host the server sees', async () => {
  const transport = new SimTransport()
  let seen = ''
  const listener = await transport.listen('127.0.0.1', 0, (connection) => (seen = connection.remoteHost))
  const client = await transport.connectFrom('10.0.0.9', '127.0.0.1', listener.port)
  assert.equal(seen, '10.0.0.9')
  client.destroy()
  await listener.close()
})
