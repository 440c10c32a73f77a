import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { connectionConfig, MigrationRefused } from '@delivery/command-kit';
import { adminQuery, commandClient, createThrowawayDatabase, eventually, placeOrderBody, type ThrowawayDatabase } from '@delivery/test-support';
import { expectProblem } from '@delivery/test-support/jest';
import { mariadbAddress } from '@delivery/infra';
import { createConnection } from 'mariadb';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startOrderService } from '../src/index.ts';

const main = join(import.meta.dirname, '../src/main.ts');
const placeBody = placeOrderBody({ customerId: 'customer-lifecycle' });

/** Whether a new TCP connection to the port is accepted or refused (a closed listener). */
function tcpProbe(port: number, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED' ? 'refused' : String(error.code)));
  });
}

/** `node src/main.ts` as `npm start` runs it, but with the default listen address (no HOST); resolves once it logged its port. */
function runMain(databaseUrl: string): { child: ChildProcess; port: Promise<number>; output: () => string; exit: Promise<number | null> } {
  const { HOST: _host, ...inherited } = process.env;
  const child = spawn(process.execPath, [main], {
    env: {
      ...inherited,
      NODE_OPTIONS: '--conditions=source --disable-warning=ExperimentalWarning --disable-warning=TimeoutNegativeWarning',
      PORT: '0',
      ORDER_DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"port":(\d+),"msg":"order-service listening"/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  port.catch(() => undefined); // a refused start is asserted through `exit`
  return { child, port, output: () => output, exit };
}

describe('order service lifecycle', () => {
  let database: ThrowawayDatabase;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    database = await createThrowawayDatabase('order_db_life');
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await database.drop();
  });

  it('given main.ts running when SIGTERM arrives with commands in flight then they finish, nothing is lost and it exits 0', async () => {
    const run = runMain(database.url);
    children.push(run.child);
    const port = await run.port;
    const base = `http://127.0.0.1:${port}`;
    const send = (path: string, body: unknown) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
        .then((res) => res.status)
        .catch((error: unknown) => String((error as { cause?: { code?: string } }).cause?.code ?? error));
    const placed = await fetch(`${base}/api/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(placeBody),
    });
    const { orderId } = (await placed.json()) as { orderId: string };

    // Hold the order's row: the accepts below block inside their transactions, provably in flight.
    const lock = await createConnection(connectionConfig(database.url));
    let inFlight: Promise<number | string>[] = [];
    try {
      await lock.beginTransaction();
      await lock.query('SELECT id FROM orders WHERE id = ? FOR UPDATE', [orderId]);
      inFlight = Array.from({ length: 5 }, () => send(`/api/v1/orders/${orderId}/accept`, {}));
      // Each blocked accept shows in the process list as an UPDATE of the order's row.
      const waiting = async () =>
        Number(
          (
            await adminQuery<{ n: bigint }[]>(
              "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE 'UPDATE `orders`%'",
              [database.name],
            )
          )[0]?.n,
        );
      await eventually(async () => (await waiting()) >= 5, { timeoutMs: 30_000, what: `the five accepts of order ${orderId} to block in the database` }).catch(
        (error: unknown) => {
          throw new Error(`${(error as Error).message}; ${run.output().slice(-3000)}`);
        },
      );
      run.child.kill('SIGTERM');
      // The signal is handled and the listener closed while the five accepts are still blocked.
      await eventually(() => run.output().includes('"msg":"shutting down"'), { what: 'the service to begin shutting down' });
      await eventually(async () => (await tcpProbe(port)) === 'refused', { what: 'the listener to close' });
      expect(await waiting()).toBe(5);
      expect(run.child.exitCode).toBeNull();
      expect(run.output()).not.toMatch(/"msg":"order-service stopped"/);
    } finally {
      await lock.rollback().catch(() => undefined);
      await lock.end();
    }

    const outcomes = await Promise.all(inFlight);
    expect(await run.exit).toBe(0);
    expect(outcomes.sort()).toEqual([200, 409, 409, 409, 409]);
    const [order] = await adminQuery<{ version: number }[]>(`SELECT version FROM \`${database.name}\`.orders WHERE id = ?`, [orderId]);
    const [rows] = await adminQuery<{ n: bigint }[]>(`SELECT COUNT(*) AS n FROM \`${database.name}\`.outbox_event`);
    expect(order?.version).toBe(2);
    expect(Number(rows?.n)).toBe(2);
    expect(run.output()).toMatch(/"msg":"order-service stopped"/);
  }, 90_000);

  it('given main.ts started without HOST then it listens on loopback only, not on any other address of this machine', async () => {
    const run = runMain(database.url);
    children.push(run.child);
    const port = await run.port;
    expect(run.output()).toMatch(/"host":"127\.0\.0\.1","port":\d+,"msg":"order-service listening"/);
    expect(await tcpProbe(port, '127.0.0.1')).toBe('accepted');
    // Every address another machine could use (link-local IPv6 needs a scope, and is skipped).
    const external = Object.values(networkInterfaces())
      .flatMap((addresses) => addresses ?? [])
      .filter((a) => !a.internal && !a.address.startsWith('fe80:'))
      .map((a) => a.address);
    for (const address of external) expect([address, await tcpProbe(port, address)]).toEqual([address, 'refused']);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  }, 60_000);

  it('given an applied migration whose checksum no longer matches when the service starts then it refuses to start', async () => {
    const first = await startOrderService({ port: 0, host: '127.0.0.1', databaseUrl: database.url, logLevel: 'silent' });
    await first.close();
    await adminQuery(`UPDATE \`${database.name}\`._prisma_migrations SET checksum = REPEAT('0', 64)`);

    await expect(startOrderService({ port: 0, host: '127.0.0.1', databaseUrl: database.url, logLevel: 'silent' })).rejects.toThrow(
      MigrationRefused,
    );
    const run = runMain(database.url);
    children.push(run.child);
    expect(await run.exit).toBe(1);
    expect(run.output()).toMatch(/was modified after it was applied/);
  });

  it('given the database unreachable then readiness is 503, liveness 200, and commands answer 503 problem+json', async () => {
    // A user of this test's own, dropped mid-test with its connections killed: the shared MariaDB keeps running.
    const user = `order_t_${Math.random().toString(16).slice(2, 10)}`;
    for (const host of ['127.0.0.1', 'localhost']) {
      await adminQuery(`CREATE USER '${user}'@'${host}' IDENTIFIED BY 'pw'`);
      await adminQuery(`GRANT ALL PRIVILEGES ON \`${database.name}\`.* TO '${user}'@'${host}'`);
    }
    const service = await startOrderService({
      port: 0,
      host: '127.0.0.1',
      databaseUrl: `mysql://${user}:pw@${mariadbAddress().host}:${mariadbAddress().port}/${database.name}`,
      logLevel: 'silent',
    });
    try {
      const api = commandClient(service.url);
      expect((await api.send('POST', '/api/v1/orders', placeBody)).status).toBe(201);
      for (const host of ['127.0.0.1', 'localhost']) await adminQuery(`DROP USER '${user}'@'${host}'`);
      const connections = await adminQuery<{ ID: bigint }[]>('SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ?', [user]);
      for (const { ID } of connections) await adminQuery(`KILL ${String(ID)}`);

      const ready = await api.get('/health/ready');
      expect({ status: ready.status, body: ready.body }).toEqual({
        status: 503,
        body: { status: 'DOWN', draining: false, checks: { database: false } },
      });
      expect((await api.get('/health/live')).status).toBe(200);
      const command = await api.send('POST', '/api/v1/orders', placeBody);
      expectProblem(command, 503, 'SERVICE_UNAVAILABLE');
      expect(command.headers.get('retry-after')).toBe('1');
    } finally {
      await service.close();
    }
  }, 60_000);
});
