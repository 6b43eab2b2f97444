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
import { shareAcknowledge } from './share-acknowledge.js'
import { shareFetch } from './share-fetch.js'
import { shareGroupDescribe } from './share-group-describe.js'
import { shareGroupHeartbeat } from './share-group-heartbeat.js'
import {
  alterShareGroupOffsets,
  deleteShareGroupOffsets,
  describeShareGroupOffsets,
} from './share-group-offsets.js'

export const handlers: readonly Handler[] = [
  apiVersions,
  metadata,
  produce,
  fetch,
  listOffsets,
  initProducerId,
  ...adminHandlers,
  ...groupHandlers,
  shareGroupHeartbeat,
  shareGroupDescribe,
  shareFetch,
  shareAcknowledge,
  describeShareGroupOffsets,
  alterShareGroupOffsets,
  deleteShareGroupOffsets,
] as readonly Handler[]
