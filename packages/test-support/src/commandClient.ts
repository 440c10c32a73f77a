/** A small HTTP client for tests: JSON in, status + headers + parsed body out. */
export interface ClientResponse {
  status: number;
  headers: Headers;
  contentType: string;
  text: string;
  /** The JSON body, or undefined when it is not JSON. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface CommandClient {
  baseUrl: string;
  send(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ClientResponse>;
  /** Sends `payload` as is (a string as UTF-8, bytes unchanged), with the given content type (for malformed and non-JSON bodies). */
  raw(method: string, path: string, payload: string | Uint8Array, contentType: string | undefined, headers?: Record<string, string>): Promise<ClientResponse>;
  get(path: string): Promise<ClientResponse>;
  /** A metric from the service's /metrics, summed over the series carrying `labels` (0 when absent). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

/** The value of one metric in a Prometheus text exposition, summed over the series carrying `labels` (0 when absent). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const series = Object.fromEntries([...(match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([label, value]) => series[label] === value)) sum += Number(match[4]);
  }
  return sum;
}

export function commandClient(baseUrl: string): CommandClient {
  const request = async (method: string, path: string, init: { body?: string | Uint8Array; headers: Record<string, string> }) => {
    const res = await fetch(`${baseUrl}${path}`, { method, headers: init.headers, ...(init.body === undefined ? {} : { body: init.body }) });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: res.status, headers: res.headers, contentType: res.headers.get('content-type') ?? '', text, body };
  };
  return {
    baseUrl,
    send: (method, path, body, headers = {}) =>
      request(method, path, {
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      }),
    raw: (method, path, payload, contentType, headers = {}) =>
      request(method, path, { body: payload, headers: { ...(contentType ? { 'content-type': contentType } : {}), ...headers } }),
    get: (path) => request('GET', path, { headers: {} }),
    metric: async (name, labels = {}) => metricValue((await request('GET', '/metrics', { headers: {} })).text, name, labels),
  };
}
