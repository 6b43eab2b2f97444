// console: the web console (static UI + JSON API over the SDK), served by `brook start` and `brook console`.
export { CHANGE_HEADER, ConsoleApi, type ConsoleOptions } from './console-api.js'
export { type ConsoleAssets, findUiFolder, folderAssets } from './console-assets.js'
export { consoleUsage, runConsoleCommand } from './console-command.js'
