import { createServer, type Server, type ServerOptions } from 'node:http';
import { type AddressInfo, Server as NetServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Express } from 'express';

/** A listening HTTP server whose `close` drains it without dropping work it already has. */
export interface HttpService {
  server: Server;
  port: number;
  /**
   * Stops accepting, lets requests in flight finish, then closes. `http.Server#close()`
   * alone closes "idle" sockets at once, and a socket whose request bytes are not parsed
   * yet counts as idle: its client would get a reset for a request it already sent. Here
   * the listener stops first, answers carry `Connection: close` from then on, idle sockets
   * are closed after `settleMs` (then every 100 ms, as keep-alive requests finish), and
   * anything still open after `graceMs` is cut.
   */
  close(graceMs?: number, settleMs?: number): Promise<void>;
}

export async function listen(
  app: Express | Parameters<typeof createServer>[1],
  port: number,
  host = '0.0.0.0',
  options: ServerOptions = {},
): Promise<HttpService> {
  const server = createServer({ keepAliveTimeout: 65_000, ...options }, app);
  let draining = false;
  server.prependListener('request', (_req, res) => {
    if (draining) res.setHeader('Connection', 'close');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  const drain = async (graceMs: number, settleMs: number) => {
    draining = true;
    const closed = new Promise<void>((resolve) => {
      NetServer.prototype.close.call(server, () => resolve());
    });
    await sleep(Math.min(settleMs, graceMs));
    server.closeIdleConnections();
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    const cut = setTimeout(() => server.closeAllConnections(), Math.max(0, graceMs - settleMs));
    await closed;
    clearInterval(sweep);
    clearTimeout(cut);
  };
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: (graceMs = 10_000, settleMs = 250) => (closing ??= drain(graceMs, settleMs)),
  };
}
