// The handler table: every API the broker serves. ApiVersions advertises exactly these.
import type { Handler } from '../handler.js'
import { adminHandlers } from './admin-handlers.js'
import { apiVersions } from './api-versions.js'
import { fetch } from './fetch.js'
import { groupHandlers } from './group-handlers.js'
import { initProducerId } from './init-producer-id.js'
import { listOffsets } from './list-offsets.js'
import { metadata } from './metadata.js'
import { produce } from './produce.js'

export const handlers: readonly Handler[] = [
  apiVersions,
  metadata,
  produce,
  fetch,
  listOffsets,
  initProducerId,
  ...adminHandlers,
  ...groupHandlers,
] as readonly Handler[]
