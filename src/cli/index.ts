// The `brook` client commands (topics, produce, consume, groups, configs, cluster, queues) on the SDK.
export { cliCommandNames, exitFailure, exitOk, exitUsage, runCli } from './program.js'
