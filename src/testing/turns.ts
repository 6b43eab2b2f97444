// How many turns of the event loop other work got while a task ran: a bystander setImmediate callback that
// reschedules itself counts them. Tests of long work in slices (#7) assert on it instead of on wall time.

/** Runs `work` and counts the turns the bystander got before it settled. */
export async function turnsDuring<T>(work: () => Promise<T>): Promise<{ value: T; turns: number }> {
  let settled = false
  let turns = 0
  const bystander = () => {
    if (settled) return
    turns++
    setImmediate(bystander)
  }
  setImmediate(bystander)
  try {
    return { value: await work(), turns }
  } finally {
    settled = true
  }
}
