// KIP-848 subscription regexes (SubscribedTopicRegex), matched the way Kafka matches them: RE2 syntax and
// semantics (Kafka uses RE2/J), the whole topic name must match. re2js runs in time linear in the input,
// so a client-supplied pattern cannot make matching backtrack; the caps below bound the pattern itself.
import { RE2JS } from 're2js'

/** Longest SubscribedTopicRegex accepted, in UTF-16 code units; longer ones get INVALID_REGULAR_EXPRESSION. */
export const TOPIC_REGEX_LENGTH_MAX = 1024

/**
 * Largest compiled program accepted, in RE2 instructions. Matching costs at most this many steps per
 * character of a topic name, so this bounds one match to about 249 * 10,000 steps.
 */
export const TOPIC_REGEX_PROGRAM_MAX = 10_000

/** A compiled subscription regex. */
export interface TopicRegex {
  readonly source: string
  /** True when the whole topic name matches. */
  matches(topic: string): boolean
}

/** A compiled regex, or why the pattern is refused (the text of an INVALID_REGULAR_EXPRESSION answer). */
export type TopicRegexResult =
  | { readonly ok: true; readonly regex: TopicRegex }
  | { readonly ok: false; readonly message: string }

/** Compiles `source` with RE2 semantics, refusing patterns over the length or program-size caps. */
export function compileTopicRegex(
  source: string,
  limits: { lengthMax?: number; programMax?: number } = {},
): TopicRegexResult {
  const lengthMax = limits.lengthMax ?? TOPIC_REGEX_LENGTH_MAX
  const programMax = limits.programMax ?? TOPIC_REGEX_PROGRAM_MAX
  if (source.length > lengthMax) {
    return {
      ok: false,
      message: `SubscribedTopicRegex is ${source.length} characters long; at most ${lengthMax} are allowed.`,
    }
  }
  let pattern: RE2JS
  try {
    pattern = RE2JS.compile(source)
  } catch (error) {
    return {
      ok: false,
      message: `SubscribedTopicRegex \`${source}\` is not a valid regular expression: ${(error as Error).message}`,
    }
  }
  if (pattern.programSize() > programMax) {
    return {
      ok: false,
      message: `SubscribedTopicRegex \`${source}\` compiles to ${pattern.programSize()} instructions; at most ${programMax} are allowed.`,
    }
  }
  return { ok: true, regex: { source, matches: (topic) => pattern.matches(topic) } }
}
