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
    const service = await listen(
      (req: IncomingMessage, res: ServerResponse) => {
        if (req.url === '/slow') release = () => res.end('slow done');
        else res.end('fast');
      },
      0,
      '127.0.0.1',
    );
    const inFlight = get(service.port, '/slow');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = service.close(5000, 50);
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    await expect(inFlight).resolves.toEqual({ status: 200, connection: 'close', body: 'slow done' });
    await closed;
    await expect(get(service.port, '/fast')).rejects.toThrow(/ECONNREFUSED/);
  });
});
