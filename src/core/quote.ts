// How error messages quote a client-supplied name or value: names may be 32767 bytes long, and an
// answer's errorMessage must stay under the protocol's string limit, so quotes are cut short (#7).

/** Longest piece of a client-supplied name or value quoted in an error message, in characters. */
export const QUOTED_CHARS_MAX = 200

/** `text` as error messages quote it: cut to QUOTED_CHARS_MAX characters, so answers stay encodable. */
export function quoted(text: string | null): string {
  if (text === null) return 'null'
  return text.length > QUOTED_CHARS_MAX ? `${text.slice(0, QUOTED_CHARS_MAX)}...` : text
}
