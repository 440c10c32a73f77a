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
  /** Sends `payload` as is, with the given content type (for malformed and non-JSON bodies). */
  raw(method: string, path: string, payload: string, contentType: string | undefined, headers?: Record<string, string>): Promise<ClientResponse>;
  get(path: string): Promise<ClientResponse>;
}

export function commandClient(baseUrl: string): CommandClient {
  const request = async (method: string, path: string, init: { body?: string; headers: Record<string, string> }) => {
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
  };
}
