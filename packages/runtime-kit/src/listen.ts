import { createServer, type Server, type ServerOptions } from 'node:http';
import { type AddressInfo, Server as NetServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Express } from 'express';
import { problemClientError } from './clientError.ts';

/** A listening HTTP server whose `close` drains it without dropping work it already has. */
export interface HttpService {
  server: Server;
  port: number;
  /** The address it is bound to (`127.0.0.1`, `0.0.0.0`, `::`…), as the socket reports it. */
  host: string;
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

/** How the listening socket is bound. */
export interface BindOptions {
  /**
   * SO_REUSEPORT (Linux; Node ≥ 22.12): several sockets, in this process's worker threads
   * or in other processes of the same user, listen on one port and the kernel spreads new
   * connections over them. Platforms without it refuse to listen.
   */
  reusePort?: boolean;
}

/** `host` defaults to loopback: a caller has to name a wider address to be reachable from elsewhere. */
export async function listen(
  app: Express | Parameters<typeof createServer>[1],
  port: number,
  host = '127.0.0.1',
  options: ServerOptions = {},
  bind: BindOptions = {},
): Promise<HttpService> {
  const server = createServer({ keepAliveTimeout: 65_000, ...options }, app);
  // Requests node refuses before the app (oversized headers, bad framing) answer problem+json too.
  server.on('clientError', problemClientError());
  let draining = false;
  server.prependListener('request', (_req, res) => {
    if (draining) res.setHeader('Connection', 'close');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(bind.reusePort === true ? { port, host, reusePort: true } : { port, host }, () => {
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
    host: (server.address() as AddressInfo).address,
    close: (graceMs = 10_000, settleMs = 250) => (closing ??= drain(graceMs, settleMs)),
  };
}
