// The Random port: every id Brook makes up (topic ids, cluster ids, member ids) draws its bytes through
// it, so simulations replay from a seed. io/CryptoRandom is the real one; testing/SeededRandom the seeded.

/** A source of random bytes. Not required to be cryptographically strong by callers of the port. */
export interface Random {
  /** `length` fresh random bytes. */
  bytes(length: number): Buffer
}

/** A random version-4 UUID in its 8-4-4-4-12 hexadecimal text form, drawn from `random`. */
export function randomUuidText(random: Random): string {
  const b = Buffer.from(random.bytes(16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const hex = b.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
