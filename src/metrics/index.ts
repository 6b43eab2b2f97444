// metrics: Prometheus metrics of the broker from its diagnostics channels (prom-client).
export {
  BrokerMetrics,
  type BrokerMetricsOptions,
  type LagSource,
  type ShareSource,
  OTHER_TOPIC_LABEL,
} from './broker-metrics.js'
