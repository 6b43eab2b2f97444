// Where fuzzed frames come from: frame `index` of connection `connection` is a pure function of the run's
// seed, the world (topics, groups) and the advertised versions, so a frame id `seed:connection:index`
// names exactly one request.
import { ApiKey, apiByKey } from '../../src/protocol/index.js'
import { SeededRandom } from '../../src/testing/index.js'
import { buildFrame } from './frame-mutator.js'
import type { SentFrame } from './fuzz-connection.js'
import { type FuzzWorld, defaultGenerateOptions, generateRequest } from './request-values.js'

/** What frames are made from. */
export interface FrameSource {
  seed: number
  world: FuzzWorld
  /** Versions of each API both advertised by the broker and known to our codec. */
  advertised: ReadonlyMap<number, { min: number; max: number }>
  /** API keys to fuzz (a subset of `advertised`). */
  keys: readonly number[]
  /** Share of frames damaged structurally, 0..1. */
  mutateChance: number
  /** Element-count bombs on or off (record-batch bombs are the world's business). */
  bombs: boolean
}

/** A 32-bit seed for frame `index` of connection `connection`: any frame regenerates from three numbers. */
export function frameSeed(seed: number, connection: number, index: number): number {
  let h = (seed ^ Math.imul(connection + 1, 0x9e3779b1)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0
  h = (h ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0
  h = Math.imul(h ^ (h >>> 13), 0x27d4eb2f) >>> 0
  return (h ^ (h >>> 16)) >>> 0
}

function pickApi(rng: SeededRandom, keys: readonly number[]): number {
  // Produce and Fetch carry the data path; they get a larger share.
  if (rng.chance(0.2) && keys.includes(ApiKey.Produce)) return ApiKey.Produce
  if (rng.chance(0.1) && keys.includes(ApiKey.Fetch)) return ApiKey.Fetch
  return rng.pick(keys)
}

/** Frame `index` of connection `connection`, with the given correlation id. */
export function makeFrame(
  source: FrameSource,
  connection: number,
  index: number,
  correlationId: number,
): SentFrame {
  const rng = new SeededRandom(frameSeed(source.seed, connection, index))
  const apiKey = pickApi(rng, source.keys)
  const range = source.advertised.get(apiKey)!
  const version = rng.intBetween(range.min, range.max)
  const notes: string[] = []
  const value = generateRequest(apiByKey(apiKey)!.request, version, rng, source.world, notes, {
    ...defaultGenerateOptions,
    elementBombChance: source.bombs ? defaultGenerateOptions.elementBombChance : 0,
  })
  const frame = buildFrame(rng, apiKey, version, correlationId, value, notes, {
    mutateChance: source.mutateChance,
    advertised: source.advertised,
    keys: source.keys,
  })
  const expectsAnswer = !(apiKey === ApiKey.Produce && value.acks === 0)
  return {
    id: `${source.seed}:${connection}:${index}`,
    frame,
    clean: frame.intact && notes.length === 0 && expectsAnswer,
    expectsAnswer,
    sentMs: 0,
  }
}
