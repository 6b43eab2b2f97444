// The real Random adapter: node:crypto's randomBytes (the kernel's CSPRNG).
import { randomBytes } from 'node:crypto'
import type { Random } from '../core/index.js'

/** Random bytes from node:crypto. */
export class CryptoRandom implements Random {
  bytes(length: number): Buffer {
    return randomBytes(length)
  }
}
