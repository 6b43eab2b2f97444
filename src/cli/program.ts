// The `brook` command line's client commands, built with commander: parsing, help, and exit codes that
// scripts can trust (0 done, 1 the operation failed, 2 the command was called wrongly).
import { Command, CommanderError } from 'commander'
import { ClientError, ConnectionError, KafkaError, RequestTimeoutError } from '../client/index.js'
import {
  addClusterCommands,
  addConfigCommands,
  addGroupCommands,
  addTopicCommands,
} from './admin-commands.js'
import { addConsumeCommand } from './consume.js'
import { CliFailure, UsageError } from './output.js'
import { addProduceCommand } from './produce.js'
import { addQueueCommands } from './queues.js'

/** The first words that `runCli` handles (`brook start` stays with main.ts). */
export const cliCommandNames: readonly string[] = [
  'topics',
  'produce',
  'consume',
  'groups',
  'configs',
  'cluster',
  'queues',
]

/** Exit codes. */
export const exitOk = 0
export const exitFailure = 1
export const exitUsage = 2

/** Builds the program; `startUsage` is the help of `brook start`, shown under the client commands. */
export function buildProgram(version: string, startHelp: string): Command {
  const program = new Command('brook')
    .description('Brook: a message broker speaking the Kafka protocol, and a client for any Kafka cluster')
    .version(version, '-V, --version')
    .exitOverride()
    .showSuggestionAfterError()
    .configureHelp({ sortSubcommands: false })
  program
    .command('start')
    .description('start a broker (brook start --help for its options)')
    .helpOption(false)
  // Listed here for --help; `brook console` itself is run by main.ts (src/console).
  program
    .command('console')
    .description('the web console for Brook or any Kafka cluster (brook console --help)')
    .helpOption(false)
  program.addHelpText('after', `\n${startHelp}`)
  addTopicCommands(program)
  addProduceCommand(program)
  addConsumeCommand(program)
  addGroupCommands(program)
  addConfigCommands(program)
  addClusterCommands(program)
  addQueueCommands(program)
  return program
}

/** One line for an error the user can act on; undefined for a bug (printed with its stack). */
function describe(error: unknown, bootstrap: string | undefined): { line: string; code: number } | undefined {
  if (error instanceof UsageError) return { line: error.message, code: exitUsage }
  if (error instanceof CliFailure) return { line: error.message, code: exitFailure }
  if (error instanceof ConnectionError || error instanceof RequestTimeoutError)
    return {
      line: `cannot reach the cluster at ${bootstrap ?? 'localhost:9092'}: ${error.message}`,
      code: exitFailure,
    }
  if (error instanceof KafkaError) {
    const topic = /topic '([^']*)'/.exec(error.message)?.[1]
    if (error.kafkaName === 'UNKNOWN_TOPIC_OR_PARTITION' && topic !== undefined)
      return { line: `topic '${topic}' does not exist (${error.kafkaName})`, code: exitFailure }
    return { line: error.message, code: exitFailure }
  }
  if (error instanceof ClientError) return { line: error.message, code: exitFailure }
  return undefined
}

/** Runs a client command (`args` without node and script); resolves to the exit code. */
export async function runCli(args: string[], version: string, startHelp: string): Promise<number> {
  const program = buildProgram(version, startHelp)
  let bootstrap: string | undefined
  program.hook('preAction', (_, action) => {
    bootstrap = (action.opts() as { bootstrap?: string }).bootstrap
  })
  // `brook consume … | head` closes stdout early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(exitOk)
    throw error
  })
  try {
    await program.parseAsync(args, { from: 'user' })
    return exitOk
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return exitOk
      // commander has printed its message already.
      return exitUsage
    }
    const known = describe(error, bootstrap)
    if (known === undefined) throw error
    process.stderr.write(`brook: ${known.line}\n`)
    return known.code
  }
}
