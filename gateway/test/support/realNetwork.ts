import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

let checked: Promise<void> | undefined;

/**
 * Fails unless HTTP in this process is real: a request's head must reach a local server
 * while its body is still being written. jest runs many test files in one process (on a
 * 2-core machine all of them: one worker, in band), and its module sandbox does not cover
 * node's built-in modules. A file that imports nock (or msw) and never calls
 * `nock.restore()` leaves every later file's sockets intercepted, and the interceptor holds
 * each request until its body is complete: streaming through the gateway then hangs.
 * Checked once per test file; a few milliseconds when the network is real.
 */
export function assertRealNetwork(timeoutMs = 5000): Promise<void> {
  checked ??= probe(timeoutMs);
  return checked;
}

async function probe(timeoutMs: number): Promise<void> {
  let headArrived = () => {};
  const arrived = new Promise<void>((resolve) => (headArrived = resolve));
  const server = createServer((req, res) => {
    headArrived();
    req.resume();
    req.on('end', () => res.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const req = request({ host: '127.0.0.1', port, method: 'POST', headers: { 'content-length': '2' }, agent: false });
  let timer: NodeJS.Timeout | undefined;
  req.write('a'); // node sends the head with the first part of the body; the second never comes
  try {
    const outcome = await Promise.race([
      arrived.then(() => 'real' as const),
      new Promise<Error>((resolve) => req.on('error', resolve)),
      new Promise<'intercepted'>((resolve) => (timer = setTimeout(() => resolve('intercepted'), timeoutMs))),
    ]);
    if (outcome === 'intercepted')
      throw new Error(
        `HTTP in this test process is intercepted: a request's head did not reach a local server within ${timeoutMs} ms ` +
          'while its body was unfinished. An earlier test file in the same jest worker left nock (or msw) active; ' +
          'it must call nock.restore() in its afterAll. Streaming through the gateway cannot be tested until then.',
      );
    if (outcome instanceof Error) throw outcome;
  } finally {
    clearTimeout(timer);
    req.destroy();
    server.closeAllConnections();
    server.close();
  }
}
