// Broker: the handler table, request dispatch, and the composition of a running broker.
export { Broker, type BrokerDependencies, type OpenedBrokerContext, openBrokerContext } from './broker.js'
export {
  type BrokerConfig,
  brokerSettingNames,
  defaultBrokerConfig,
  parseConfigFile,
  resolveBrokerConfig,
} from './broker-config.js'
export type { BrokerContext } from './broker-context.js'
export { CLOSE_CONNECTION, type Handler, type RequestContext, defineHandler } from './handler.js'
export { PartitionStore } from './partition-store.js'
export {
  SHARE_VIEW_RUNS_MAX,
  type ShareGroupView,
  type SharePartitionView,
  type ShareRunView,
  shareGroupView,
  shareGroupViews,
} from './share-group-view.js'
