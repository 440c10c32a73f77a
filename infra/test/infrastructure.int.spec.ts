// A component that cannot start fails within a bounded time, with a message naming it.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ComponentStartError, createMongo, ensureComponent, statePath, type Component } from '../src/index.ts';

describe('a component that cannot start', () => {
  const sockets = new Set<Socket>();
  let squatter: Server;
  let mongo: Component;

  beforeAll(async () => {
    // A process that holds the port but speaks no MongoDB: the launcher cannot bind it.
    squatter = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {}).on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const { port } = squatter.address() as AddressInfo;
    const dir = mkdtempSync(join(tmpdir(), 'infra-test-'));
    mongo = createMongo({ address: { host: '127.0.0.1', port }, dir, libs: statePath('mongo', 'libs') });
  });

  afterAll(async () => {
    await mongo.stop(); // in case it did start after all
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => squatter.close(resolve));
    rmSync(join(mongo.logFile, '..'), { recursive: true, force: true });
  });

  it('given its port is taken when it is ensured then it fails fast, naming it and its log', async () => {
    const startedAt = Date.now();

    const error: unknown = await ensureComponent(mongo).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ComponentStartError);
    expect((error as ComponentStartError).component).toBe('mongo');
    expect((error as Error).message).toContain(`mongo (${mongo.address}) exited during start`);
    expect((error as Error).message).toContain(`log: ${mongo.logFile}`);
    expect((error as Error).message).toContain('failed to start: java.net.BindException: Address already in use');
    expect(Date.now() - startedAt).toBeLessThan(15_000);
  }, 30_000);
});
