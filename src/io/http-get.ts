// A bounded HTTP GET of a JSON document (Node's fetch), for clients that read the broker's own read-only
// endpoints, such as `brook queues` reading /api/share-groups/<id> from the HTTP port of `brook start`.

/** The status and parsed body of a GET; `body` is undefined when it is not JSON. */
export interface HttpJsonAnswer {
  readonly status: number
  readonly body: unknown
}

/** GETs `url` within `timeoutMs` and parses the body as JSON; rejects when nothing answers in time. */
export async function httpGetJson(url: string, timeoutMs: number): Promise<HttpJsonAnswer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' })
  const text = await response.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  return { status: response.status, body }
}
