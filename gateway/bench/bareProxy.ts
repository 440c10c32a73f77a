import { Agent, createServer } from 'node:http';
import { createProxyServer } from 'http-proxy-3';

// Reference row of the benchmark: http-proxy-3 with a keep-alive agent and nothing else (no
// routing, breaker, retries, logs or metrics): the floor the node:http stack sets.
const target = process.env.TARGET ?? 'http://127.0.0.1:8081';
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
const proxy = createProxyServer({ target, agent });
proxy.on('error', (_error, _req, res) => {
  if ('writeHead' in res && !res.headersSent) res.writeHead(502);
  res.end();
});
const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => proxy.web(req, res));
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
