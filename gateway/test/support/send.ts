import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  json: () => Record<string, unknown>;
}

/**
 * One request on a fresh connection, with the path sent exactly as given (fetch would
 * normalise `..` and `%2e` before the gateway ever saw them).
 */
export function send(
  base: string,
  method: string,
  path: string,
  options: { headers?: OutgoingHttpHeaders; body?: string | Buffer; localAddress?: string } = {},
): Promise<Answer> {
  const url = new URL(base);
  const headers = { ...options.headers };
  // node's client sends a DELETE body unframed unless told its length.
  if (options.body !== undefined && headers['transfer-encoding'] === undefined && headers['content-length'] === undefined)
    headers['content-length'] = Buffer.byteLength(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers, agent: false, localAddress: options.localAddress },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) as Record<string, unknown> });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Writes raw bytes on a new connection and returns everything read until the server closes it (or `timeoutMs`). */
export function sendRaw(base: string, bytes: string, timeoutMs = 5000): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString());
    });
    socket.on('error', reject);
    socket.write(bytes);
  });
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
