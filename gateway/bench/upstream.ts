import { createServer } from 'node:http';

// The benchmark's trivial upstream: reads the body, answers a small JSON document.
const port = Number(process.env.PORT ?? 0);
const answer = Buffer.from('{"orderId":"7b0c1a52-5d6e-4f1e-9a3b-2c4d5e6f7a8b","status":"ACCEPTED","version":2}');
const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
    res.end(answer);
  });
});
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
