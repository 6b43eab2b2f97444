// The broker's HTTP listener (node:http): GET routes answered by a function main.ts supplies (/metrics,
// /healthz, /readyz; later the web console). Only this folder and main.ts touch node:http.
import http from 'node:http'
import { ConfigError } from '../core/index.js'

export interface HttpAnswer {
  status: number
  contentType: string
  body: string
}

/** Answers a GET (or HEAD) of `path` (without the query string). */
export type HttpRoutes = (path: string) => Promise<HttpAnswer>

/** An open HTTP server; `close` stops it and ends its keep-alive connections. */
export class HttpListener {
  readonly #server: http.Server
  readonly port: number

  private constructor(server: http.Server, port: number) {
    this.#server = server
    this.port = port
  }

  /** Listens on host:port; a port in use (or not allowed) rejects with a ConfigError naming it. */
  static listen(host: string, port: number, routes: HttpRoutes): Promise<HttpListener> {
    const server = http.createServer((request, response) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response
          .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' })
          .end('method not allowed\n')
        return
      }
      const path = (request.url ?? '/').split('?')[0]
      routes(path).then(
        (answer) => {
          response.writeHead(answer.status, { 'content-type': answer.contentType })
          response.end(request.method === 'HEAD' ? undefined : answer.body)
        },
        (error: unknown) => {
          response.writeHead(500, { 'content-type': 'text/plain' })
          response.end(`${error instanceof Error ? error.message : String(error)}\n`)
        },
      )
    })
    server.headersTimeout = 10_000
    server.requestTimeout = 30_000
    return new Promise((resolve, reject) => {
      const failed = (error: NodeJS.ErrnoException) => {
        const why = error.code === 'EADDRINUSE' ? 'is already in use' : `cannot be opened (${error.code})`
        reject(
          new ConfigError(
            `console port ${host}:${port} ${why}; choose another with --console-port or disable it with --no-console`,
          ),
        )
      }
      server.once('error', failed)
      server.listen(port, host, () => {
        server.off('error', failed)
        const address = server.address()
        resolve(
          new HttpListener(server, typeof address === 'object' && address !== null ? address.port : port),
        )
      })
    })
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve())
      this.#server.closeAllConnections()
    })
  }
}
