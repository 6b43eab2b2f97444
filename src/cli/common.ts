// Options every CLI command shares (-b/--bootstrap, --timeout) and the SDK client options made from them.
import { type Command, InvalidArgumentError as CommanderArgumentError } from 'commander'
import type { ClientOptions } from '../client/index.js'

/** The options added by `withConnection`. */
export interface ConnectionFlags {
  bootstrap: string
  timeout: number
}

/** Parses a non-negative integer argument (commander calls it; a bad value is a usage error). */
export function integer(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new CommanderArgumentError(`'${value}' is not an integer`)
  return Number(value)
}

/** Parses a positive integer argument. */
export function positive(value: string): number {
  const n = integer(value)
  if (n <= 0) throw new CommanderArgumentError(`'${value}' must be greater than 0`)
  return n
}

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}

/** Adds -b/--bootstrap and --timeout to a command. */
export function withConnection(command: Command): Command {
  return command
    .option('-b, --bootstrap <host:port>', 'broker(s) to start from, comma-separated', 'localhost:9092')
    .option('--timeout <ms>', 'time to connect and for each request, in ms', positive, 10000)
}

/** SDK client options for the CLI: bounded waits and few retries, so an unreachable cluster fails fast. */
export function clientOptions(flags: ConnectionFlags): ClientOptions {
  return {
    bootstrap: flags.bootstrap,
    clientId: 'brook-cli',
    connectTimeoutMs: flags.timeout,
    requestTimeoutMs: flags.timeout,
    retries: 2,
    retryBackoffMs: 100,
    retryBackoffMaxMs: 500,
  }
}
