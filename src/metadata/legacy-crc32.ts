// CRC-32 (IEEE, the zlib polynomial): only for reading the metadata files of the format before the state
// log (legacy-metadata-log.ts). The state log itself uses CRC-32C.

const table: Uint32Array = (() => {
  const result = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1
    result[n] = c >>> 0
  }
  return result
})()

/** CRC-32 of all bytes of `data`, as an unsigned 32-bit number. */
export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}
