// UpdateFeatures: every feature level is fixed on one node (broker/features.ts), so an update to the level
// in force is valid and changes nothing, and any other level is INVALID_UPDATE_VERSION, as Kafka answers a
// level its controller does not support. v2 answers one error for all updates; v0-1 one per feature too.
import { quoted } from '../../core/index.js'
import { ErrorCode, UpdateFeaturesRequest, UpdateFeaturesResponse } from '../../protocol/index.js'
import { feature } from '../features.js'
import { defineHandler } from '../handler.js'

/** Kafka's FeatureUpdate.UpgradeType codes (v1+). */
const UpgradeType = { UPGRADE: 1, SAFE_DOWNGRADE: 2, UNSAFE_DOWNGRADE: 3 } as const

function check(update: { feature: string; maxVersionLevel: number; upgradeType: number }): string | null {
  const known = feature(update.feature)
  const level = update.maxVersionLevel
  if (known === undefined) {
    // Removing a feature that is not there changes nothing.
    if (level === 0) return null
    return `Invalid update version ${level} for feature ${quoted(update.feature)}. Brook does not support this feature.`
  }
  if (level === known.finalizedLevel) return null
  if (level < known.finalizedLevel && update.upgradeType === UpgradeType.UPGRADE)
    return `Can not downgrade ${quoted(update.feature)} from ${known.finalizedLevel} to ${level} with upgrade type UPGRADE.`
  return `Invalid update version ${level} for feature ${quoted(update.feature)}. Brook supports only version ${known.finalizedLevel} (${known.meaning}).`
}

export const updateFeatures = defineHandler({
  request: UpdateFeaturesRequest,
  response: UpdateFeaturesResponse,
  versions: { min: 0, max: 2 },
  handle(request, context) {
    const version = context.header.apiVersion
    const updates = request.featureUpdates.map((update) => ({
      feature: update.feature,
      maxVersionLevel: update.maxVersionLevel,
      // v0 has a flag instead of a type.
      upgradeType:
        version === 0
          ? update.allowDowngrade
            ? UpgradeType.SAFE_DOWNGRADE
            : UpgradeType.UPGRADE
          : update.upgradeType,
    }))
    const badType = updates.find((update) => !Object.values(UpgradeType).includes(update.upgradeType as 1))
    if (badType !== undefined) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: `Unknown upgrade type ${badType.upgradeType} for feature ${quoted(badType.feature)}`,
        results: [],
      }
    }
    const results = updates.map((update) => {
      const problem = check(update)
      return {
        feature: update.feature,
        errorCode: problem === null ? ErrorCode.NONE : ErrorCode.INVALID_UPDATE_VERSION,
        errorMessage: problem,
      }
    })
    const failed = results.find((result) => result.errorCode !== ErrorCode.NONE)
    if (version >= 2 && failed !== undefined) {
      // One error for all, worded as Kafka's controller words it.
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.INVALID_UPDATE_VERSION,
        errorMessage: `The update failed for all features since the following feature had an error: ${failed.errorMessage}`,
        results: [],
      }
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results }
  },
})
