import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { Pool, type Dispatcher } from 'undici';

// Reference row of the benchmark: node:http in front of one undici Pool (keep-alive, no
// pipelining, as many connections as the gateway's default maxSockets) driven by
// `dispatch`, and nothing else (no routing, limits, breaker, retries, deadlines, logs or
// metrics): the floor under the gateway.
const pool = new Pool(process.env.TARGET ?? 'http://127.0.0.1:8081', { connections: 256, pipelining: 1 });

function handler(res: ServerResponse): Dispatcher.DispatchHandler {
  return {
    onRequestStart: () => undefined,
    onResponseStart: (_controller, status: number, headers: IncomingHttpHeaders) => res.writeHead(status, headers),
    onResponseData: (controller, chunk: Buffer) => {
      if (!res.write(chunk)) {
        controller.pause();
        res.once('drain', () => controller.resume());
      }
    },
    onResponseEnd: () => res.end(),
    onResponseError: () => (res.headersSent ? res.destroy() : res.writeHead(502).end()),
  };
}

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  delete req.headers.host; // undici sends the upstream's own
  const method = req.method as Dispatcher.HttpMethod;
  pool.dispatch({ path: req.url ?? '/', method, headers: req.headers, body: req, headersTimeout: 0, bodyTimeout: 0 }, handler(res));
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
