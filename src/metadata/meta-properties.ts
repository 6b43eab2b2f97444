// The node's identity file, shaped like Kafka's meta.properties: `key=value` lines holding the format
// version, node id and cluster id. Created once with a random cluster id; read back on every start.

import { ConfigError, CorruptDataError, type FileSystem } from '../core/index.js'
import { type RandomBytes, randomKafkaUuid } from './kafka-uuid.js'

/** The file's name inside the metadata directory. */
export const META_PROPERTIES_FILE = 'meta.properties'

/** What meta.properties holds. */
export interface MetaProperties {
  readonly version: number
  readonly nodeId: number
  /** Random 22-char base64url id, fixed for the life of the data directory. */
  readonly clusterId: string
}

/** Parses the text of a meta.properties file; throws CorruptDataError when a field is missing or bad. */
export function parseMetaProperties(text: string): MetaProperties {
  const fields = new Map<string, string>()
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim()
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue
    const equals = line.indexOf('=')
    if (equals < 0) throw new CorruptDataError(`meta.properties line without '=': ${line}`)
    fields.set(line.slice(0, equals).trim(), line.slice(equals + 1).trim())
  }
  const version = Number(fields.get('version'))
  const nodeId = Number(fields.get('node.id'))
  const clusterId = fields.get('cluster.id') ?? ''
  if (version !== 1)
    throw new CorruptDataError(`meta.properties has unsupported version ${fields.get('version')}`)
  if (!Number.isInteger(nodeId) || nodeId < 0)
    throw new CorruptDataError('meta.properties has no valid node.id')
  if (clusterId === '') throw new CorruptDataError('meta.properties has no cluster.id')
  return { version, nodeId, clusterId }
}

/** The text of a meta.properties file. */
export function formatMetaProperties(properties: MetaProperties): string {
  return [
    '#Brook node identity; do not edit',
    `version=${properties.version}`,
    `node.id=${properties.nodeId}`,
    `cluster.id=${properties.clusterId}`,
    '',
  ].join('\n')
}

/**
 * Reads `dir/meta.properties`, or creates it (durably) with a new random cluster id. Throws ConfigError
 * when the file names another node id than `nodeId`: the directory belongs to a different node.
 */
export async function loadOrCreateMetaProperties(
  fileSystem: FileSystem,
  dir: string,
  nodeId: number,
  randomBytes: RandomBytes,
): Promise<MetaProperties> {
  const path = `${dir}/${META_PROPERTIES_FILE}`
  if (await fileSystem.exists(path)) {
    const properties = parseMetaProperties((await fileSystem.readFile(path)).toString('utf8'))
    if (properties.nodeId !== nodeId) {
      throw new ConfigError(`${path} belongs to node ${properties.nodeId}, but this broker is node ${nodeId}`)
    }
    return properties
  }
  const properties: MetaProperties = { version: 1, nodeId, clusterId: randomKafkaUuid(randomBytes) }
  await fileSystem.mkdir(dir)
  await fileSystem.writeFileAtomic(path, Buffer.from(formatMetaProperties(properties), 'utf8'))
  return properties
}
