import { afterAll, describe, expect, it } from '@jest/globals';
import { connect, createServer, type Server } from 'node:net';
import { mongoUrl } from '@delivery/infra';
import { eventually, freePort } from '@delivery/test-support';
import { createMongoClient } from '../src/repository/mongoClient.ts';

describe('the read model\'s MongoDB client', () => {
  let relay: Server | undefined;
  let close = async () => {};
  afterAll(async () => {
    await close();
    await new Promise((resolve) => (relay ? relay.close(resolve) : resolve(undefined)));
  });

  it('connects once MongoDB is reachable, though its first connect failed (a read model started while MongoDB was down)', async () => {
    const port = await freePort();
    const client = createMongoClient({ url: `mongodb://127.0.0.1:${port}/?directConnection=true`, serverSelectionTimeoutMs: 300 });
    close = () => client.close();
    const db = client.db('read_model_reconnect_test');
    // Nothing listens yet: the first operation fails.
    await expect(db.command({ ping: 1 })).rejects.toThrow();

    // MongoDB appears at that address: a TCP relay to the real one.
    const real = new URL(mongoUrl());
    relay = createServer((socket) => {
      const upstream = connect(Number(real.port || 27017), real.hostname);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => relay?.listen(port, '127.0.0.1', resolve));

    await eventually(
      async () => {
        const answer = await db.command({ ping: 1 });
        return answer.ok === 1;
      },
      { timeoutMs: 20_000, what: 'a ping through the client whose first connect failed' },
    );
  }, 30_000);
});
