// metrics: Prometheus metrics of the broker from its diagnostics channels (prom-client).
export {
  BrokerMetrics,
  type BrokerMetricsOptions,
  type CleanerSource,
  type CleanerStats,
  type LagSource,
  type ShareGroupStats,
  type ShareSource,
  OTHER_GROUP_LABEL,
  OTHER_TOPIC_LABEL,
} from './broker-metrics.js'
