// `brook produce TOPIC`: one record per line of stdin, with an optional key separator, headers, a fixed
// partition, compression and acks; `--json` rejects a line that is not JSON (naming its line number).
import { createInterface } from 'node:readline'
import { type Command, Option } from 'commander'
import { type CompressionName, Producer, type RecordMetadata } from '../client/index.js'
import { type ConnectionFlags, clientOptions, collect, integer, withConnection } from './common.js'
import { CliFailure, parsePairs } from './output.js'
import { Progress } from './progress.js'

/** Sends still unanswered before reading more lines (the producer batches them). */
const pendingSendsMax = 1000

interface ProduceFlags extends ConnectionFlags {
  keySeparator?: string
  header: string[]
  partition?: number
  compression: CompressionName
  acks: string
  json?: boolean
}

export function addProduceCommand(program: Command): void {
  withConnection(
    program
      .command('produce')
      .description('send each line of stdin as one record')
      .argument('<topic>', 'topic to write to'),
  )
    .option('-K, --key-separator <sep>', 'split each line into key and value at the first <sep>')
    .option('-H, --header <key=value>', 'a header on every record (repeatable)', collect, [])
    .option('-p, --partition <n>', 'write every record to this partition', integer)
    .addOption(
      new Option('-z, --compression <codec>', 'compression of record batches')
        .choices(['none', 'gzip', 'snappy', 'lz4', 'zstd'])
        .default('none'),
    )
    .addOption(
      new Option('--acks <acks>', 'acknowledgements to wait for')
        .choices(['0', '1', 'all', '-1'])
        .default('all'),
    )
    .option('--json', 'require each value to be valid JSON')
    .action(async (topic: string, flags: ProduceFlags) => produce(topic, flags))
}

async function produce(topic: string, flags: ProduceFlags): Promise<void> {
  const headers = parsePairs(flags.header, 'header')
  if (flags.keySeparator === '') throw new CliFailure('--key-separator must not be empty')
  const acks = flags.acks === 'all' || flags.acks === '-1' ? -1 : (Number(flags.acks) as 0 | 1)
  const producer = new Producer({
    ...clientOptions(flags),
    acks,
    compression: flags.compression,
    idempotent: acks === -1,
    autoCreateTopics: false,
  })
  const pending = new Set<Promise<RecordMetadata>>()
  let failure: Error | undefined
  let lineNumber = 0
  let sent = 0
  // Lines typed at a terminal need no counter; a file or pipe into a terminal session gets one on stderr.
  const progress = new Progress(`producing to ${topic}`, { off: process.stdin.isTTY === true })
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })
  try {
    for await (const line of lines) {
      lineNumber++
      if (failure !== undefined) break
      let key: string | undefined
      let value = line
      if (flags.keySeparator !== undefined) {
        const at = line.indexOf(flags.keySeparator)
        if (at < 0) throw new CliFailure(`line ${lineNumber} has no key separator '${flags.keySeparator}'`)
        key = line.slice(0, at)
        value = line.slice(at + flags.keySeparator.length)
      }
      if (flags.json) {
        try {
          JSON.parse(value)
        } catch (error) {
          throw new CliFailure(`line ${lineNumber} is not valid JSON: ${(error as Error).message}`)
        }
      }
      const sending = producer.send({
        topic,
        key: key === undefined ? undefined : Buffer.from(key, 'utf8'),
        value: Buffer.from(value, 'utf8'),
        headers: headers.length === 0 ? undefined : headers.map(([k, v]) => ({ key: k, value: v })),
        partition: flags.partition,
      })
      pending.add(sending)
      sending.then(
        () => pending.delete(sending),
        (error: Error) => {
          pending.delete(sending)
          failure ??= error
        },
      )
      sent++
      progress.update(sent)
      if (pending.size >= pendingSendsMax) await Promise.race(pending).catch(() => undefined)
    }
    await Promise.allSettled(pending)
    if (failure !== undefined) throw failure
    await producer.flush()
    progress.done()
    process.stderr.write(`produced ${sent} record(s) to ${topic}\n`)
  } catch (error) {
    // Lines before a bad one are produced (as kafka-console-producer does); wait for them, then fail.
    await Promise.allSettled(pending)
    throw error
  } finally {
    progress.done()
    lines.close()
    await producer.close()
  }
}
