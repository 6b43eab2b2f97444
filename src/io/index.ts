// io: the real adapters for the core ports. Only this folder touches node:fs, node:net and timers.
export { CryptoRandom } from './crypto-random.js'
export {
  HTTP_REQUEST_BODY_BYTES_MAX,
  type HttpAnswer,
  HttpListener,
  type HttpRequest,
  type HttpRoutes,
} from './http-listener.js'
export { NodeFileSystem } from './node-file-system.js'
export { SystemClock } from './system-clock.js'
export { TcpTransport } from './tcp-transport.js'
export { type HttpJsonAnswer, httpGetJson } from './http-get.js'
