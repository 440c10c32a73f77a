import { createServer, type Server, type ServerOptions } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

/** A listening HTTP server whose `close` stops accepting, then waits for requests in flight. */
export interface HttpService {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function listen(
  app: Express | Parameters<typeof createServer>[1],
  port: number,
  host = '0.0.0.0',
  options: ServerOptions = {},
): Promise<HttpService> {
  const server = createServer({ keepAliveTimeout: 65_000, ...options }, app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
