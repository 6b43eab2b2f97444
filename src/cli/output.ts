// How the CLI prints: aligned text tables for people, JSON for scripts, and the errors it raises for bad
// usage (exit code 2) as opposed to failed operations (exit code 1).

/** A mistake in how the command was called: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** A failure the user should read as one line (exit code 1), such as a malformed input line. */
export class CliFailure extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CliFailure'
  }
}

/** Prints `value` as JSON on one line per document (pretty when `pretty`). */
export function printJson(value: unknown, pretty = true): void {
  process.stdout.write(`${JSON.stringify(value, null, pretty ? 2 : undefined)}\n`)
}

/** Prints rows under a header, columns padded to the widest cell. */
export function printTable(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): void {
  const cells = [
    header,
    ...rows.map((row) => row.map((c) => (c === null || c === undefined ? '-' : String(c)))),
  ]
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)))
  const lines = cells.map((row) =>
    row
      .map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  )
  process.stdout.write(`${lines.join('\n')}\n`)
}

/** Parses `name=value` pairs (a value may contain '='). */
export function parsePairs(pairs: readonly string[], what: string): Array<[string, string]> {
  return pairs.map((pair) => {
    const at = pair.indexOf('=')
    if (at <= 0) throw new UsageError(`${what} '${pair}' is not of the form name=value`)
    return [pair.slice(0, at), pair.slice(at + 1)]
  })
}

/** A group's members (consumer or share group), as `groups describe` and `queues describe` print them. */
export function printMembers(
  members: ReadonlyArray<{
    memberId: string
    clientId: string
    clientHost: string
    assignment: ReadonlyArray<{ topic: string; partition: number }>
  }>,
): void {
  if (members.length === 0) return
  process.stdout.write('\n')
  printTable(
    ['MEMBER', 'CLIENT', 'HOST', 'ASSIGNMENT'],
    members.map((m) => [
      m.memberId,
      m.clientId,
      m.clientHost,
      m.assignment.map((tp) => `${tp.topic}-${tp.partition}`).join(','),
    ]),
  )
}
