// testing: simulated ports and helpers for tests and simulations. Imported only by tests.
export { SeededRandom } from './seeded-random.js'
export { SimClock } from './sim-clock.js'
export { SimTransport, type SimTransportOptions } from './sim-transport.js'
export { SimShareStateSink } from './sim-share-state-sink.js'
export { type CrashOptions, SIM_VOLUME_BYTES_DEFAULT, SimFileSystem } from './sim-file-system.js'
export { makeTestBatch, type TestBatchOptions } from './test-batch.js'
export { createTestBroker, type TestBroker, type TestBrokerOptions } from './test-broker.js'
export { turnsDuring } from './turns.js'
