// The broker's HTTP listener (node:http): requests answered by a function its owner supplies (/metrics,
// /healthz, /readyz and the web console). Only this folder and main.ts touch node:http.
import http from 'node:http'
import { ConfigError } from '../core/index.js'

/** Largest request body read (the console's JSON requests); a larger one is answered 413. */
export const HTTP_REQUEST_BODY_BYTES_MAX = 1 << 20

/** One request as the routes see it: the method, the path without its query, lower-cased headers. */
export interface HttpRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: Readonly<Record<string, string | undefined>>
  /** The body as UTF-8 text ('' for GET and HEAD). */
  body: string
}

export interface HttpAnswer {
  status: number
  contentType: string
  body: string | Buffer
  headers?: Readonly<Record<string, string>>
}

/** Answers a GET, HEAD or POST. */
export type HttpRoutes = (request: HttpRequest) => Promise<HttpAnswer>

/** An open HTTP server; `close` stops it and ends its keep-alive connections. */
export class HttpListener {
  readonly #server: http.Server
  readonly port: number

  private constructor(server: http.Server, port: number) {
    this.#server = server
    this.port = port
  }

  /**
   * Listens on host:port; a port in use (or not allowed) rejects with a ConfigError naming it and ending
   * with `hint` (what to do instead).
   */
  static listen(
    host: string,
    port: number,
    routes: HttpRoutes,
    hint = 'choose another with --console-port or disable it with --no-console',
  ): Promise<HttpListener> {
    const server = http.createServer((request, response) => {
      const method = request.method ?? 'GET'
      if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
        response
          .writeHead(405, { allow: 'GET, HEAD, POST', 'content-type': 'text/plain' })
          .end('method not allowed\n')
        return
      }
      const url = new URL(request.url ?? '/', 'http://localhost')
      const chunks: Buffer[] = []
      let size = 0
      let refused = false
      request.on('data', (chunk: Buffer) => {
        if (refused) return
        size += chunk.length
        if (size > HTTP_REQUEST_BODY_BYTES_MAX) {
          refused = true
          chunks.length = 0
          response
            .writeHead(413, { 'content-type': 'text/plain', connection: 'close' })
            .end(`request body over ${HTTP_REQUEST_BODY_BYTES_MAX} bytes\n`)
          request.resume()
          return
        }
        chunks.push(chunk)
      })
      request.on('end', () => {
        if (refused) return
        const headers: Record<string, string | undefined> = {}
        for (const [name, value] of Object.entries(request.headers))
          headers[name] = Array.isArray(value) ? value.join(', ') : value
        routes({
          method,
          path: url.pathname,
          query: url.searchParams,
          headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }).then(
          (answer) => {
            response.writeHead(answer.status, { ...answer.headers, 'content-type': answer.contentType })
            response.end(method === 'HEAD' ? undefined : answer.body)
          },
          (error: unknown) => {
            response.writeHead(500, { 'content-type': 'text/plain' })
            response.end(`${error instanceof Error ? error.message : String(error)}\n`)
          },
        )
      })
    })
    server.headersTimeout = 10_000
    server.requestTimeout = 30_000
    return new Promise((resolve, reject) => {
      const failed = (error: NodeJS.ErrnoException) => {
        const why = error.code === 'EADDRINUSE' ? 'is already in use' : `cannot be opened (${error.code})`
        reject(new ConfigError(`console port ${host}:${port} ${why}; ${hint}`))
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
