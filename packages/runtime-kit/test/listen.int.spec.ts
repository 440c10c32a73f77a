import { type IncomingMessage, request, type ServerResponse } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { listen } from '../src/index.ts';

const get = (port: number, path: string) =>
  new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
    });
    req.on('error', reject);
    req.end();
  });

describe('listen().close() drains', () => {
  it('lets a request in flight finish, answers it with Connection: close, then refuses new connections', async () => {
    let release: () => void = () => undefined;
    let arrived: () => void = () => undefined;
    const slowArrived = new Promise<void>((resolve) => (arrived = resolve));
    const service = await listen(
      (req: IncomingMessage, res: ServerResponse) => {
        if (req.url === '/slow') {
          release = () => res.end('slow done');
          arrived();
        } else res.end('fast');
      },
      0,
      '127.0.0.1',
    );
    // The drain's first sweep of idle connections (after the settle time), seen on the server itself.
    const swept = new Promise<void>((resolve) => {
      const closeIdle = service.server.closeIdleConnections.bind(service.server);
      service.server.closeIdleConnections = () => {
        closeIdle();
        resolve();
      };
    });
    const inFlight = get(service.port, '/slow');
    let answered = false;
    void inFlight.then(
      () => (answered = true),
      () => (answered = true),
    );
    await slowArrived;
    const closed = service.close(5000, 50);
    await swept;
    expect(answered).toBe(false); // idle sockets are being closed; the busy one stays open
    await expect(get(service.port, '/fast')).rejects.toThrow(/ECONNREFUSED/); // no new connection while draining
    release();
    await expect(inFlight).resolves.toEqual({ status: 200, connection: 'close', body: 'slow done' });
    await closed;
    await expect(get(service.port, '/fast')).rejects.toThrow(/ECONNREFUSED/);
  });
});
