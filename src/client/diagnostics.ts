// node:diagnostics_channel events the SDK publishes, all names in one place. Nothing is built for a
// channel nobody subscribes to.
import diagnostics from 'node:diagnostics_channel'

/** Channel names; subscribe with `diagnostics_channel.subscribe(name, fn)`. */
export const channelNames = {
  /** `{ apiKey, apiName, broker, durationMs, error? }` after each request to a broker. */
  request: 'brook:client:request',
  /** `{ topic, partition, records, bytes, baseOffset }` after a batch is acknowledged. */
  produce: 'brook:client:produce',
  /** `{ topic, partition, records }` after a fetch response is decoded. */
  fetch: 'brook:client:fetch',
  /** `{ groupId, memberId, assigned, revoked }` when a consumer's assignment changes. */
  rebalance: 'brook:client:rebalance',
  /** `{ groupId, offsets }` after a commit. */
  commit: 'brook:client:commit',
} as const

export const channels = {
  request: diagnostics.channel(channelNames.request),
  produce: diagnostics.channel(channelNames.produce),
  fetch: diagnostics.channel(channelNames.fetch),
  rebalance: diagnostics.channel(channelNames.rebalance),
  commit: diagnostics.channel(channelNames.commit),
}
