import { Server as NetServer } from 'node:net';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestHandler } from 'express';

export interface HttpDrainSettings {
  /** How long sockets accepted before the stop get to start their request. */
  settleMs: number;
  /** After this, connections still open are cut. */
  graceMs: number;
}

/**
 * Stops an HTTP server without dropping work it already has. `http.Server#close()` also
 * closes "idle" sockets at once, and a socket whose request bytes are not parsed yet counts
 * as idle: its client gets a reset for a request it already sent. Here the listener stops
 * first, answers carry `Connection: close` from then on, and idle sockets are closed only
 * after `settleMs` (and then every 100 ms, as requests in flight finish on keep-alive
 * sockets); anything still open after `graceMs` is cut.
 */
export class HttpDrain {
  private draining = false;

  /** Mount first: once draining, every answer closes its connection. */
  readonly middleware: RequestHandler = (_req, res, next) => {
    if (this.draining) res.setHeader('Connection', 'close');
    next();
  };

  async close(server: Server, settings: HttpDrainSettings): Promise<void> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => {
      NetServer.prototype.close.call(server, () => resolve());
    });
    await sleep(settings.settleMs);
    server.closeIdleConnections();
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    const cut = setTimeout(() => server.closeAllConnections(), Math.max(0, settings.graceMs - settings.settleMs));
    await closed;
    clearInterval(sweep);
    clearTimeout(cut);
  }
}
