import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** Answers with what it received, as JSON (status 200 unless a handler says otherwise). */
export const echo: UpstreamHandler = (req, res, body) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
};

/** A handler that always answers the same status, headers and body. */
export function reply(status: number, body: string, headers: OutgoingHttpHeaders = {}): UpstreamHandler {
  return (_req, res) => {
    res.writeHead(status, headers);
    res.end(body);
  };
}

/**
 * A real local HTTP server standing in for a write service: records every request, counts
 * connections and requests aborted by the gateway, and answers through a handler per path
 * (or `fallback`) that tests may change at any time.
 */
export class TestUpstream {
  readonly requests: RecordedRequest[] = [];
  /** Requests whose connection closed before the answer was sent. */
  aborted = 0;
  connections = 0;
  /** Requests that arrived, counted when the head arrives (before the body). */
  arrived = 0;
  readonly paths = new Map<string, UpstreamHandler>();
  fallback: UpstreamHandler = echo;
  /** Called with the raw request as soon as its head arrives (before the body). */
  onHead: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  /**
   * Like `onHead`, but only for the request carrying this X-Request-Id: a handler a test
   * failed to remove cannot take over the requests of the tests after it.
   */
  readonly onHeadFor = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
  /** X-Request-Id of each request that arrived (head received), in order. */
  readonly arrivedIds: string[] = [];
  /** X-Request-Id of each request whose connection closed before the answer was sent. */
  readonly abortedIds: string[] = [];
  readonly port: number;
  private readonly server: Server;

  private constructor(server: Server, port: number) {
    this.server = server;
    this.port = port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(port = 0): Promise<TestUpstream> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    const upstream = new TestUpstream(server, (server.address() as AddressInfo).port);
    server.on('connection', () => upstream.connections++);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => upstream.handle(req, res));
    return upstream;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const requestId = String(req.headers['x-request-id']);
    this.arrived++;
    this.arrivedIds.push(requestId);
    res.on('close', () => {
      if (res.writableFinished) return;
      this.aborted++;
      this.abortedIds.push(requestId);
    });
    const onHead = this.onHeadFor.get(requestId) ?? this.onHead;
    if (onHead) {
      onHead(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = (req.url ?? '').split('?')[0] ?? '';
      (this.paths.get(`${req.method ?? ''} ${path}`) ?? this.fallback)(req, res, body);
    });
  }

  /** The recorded (complete) request with this X-Request-Id; the gateway forwards the client's. */
  request(requestId: string): RecordedRequest | undefined {
    return this.requests.find((r) => r.headers['x-request-id'] === requestId);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** A port on which nothing listens (connections are refused). */
export async function closedPort(): Promise<number> {
  const upstream = await TestUpstream.start();
  await upstream.stop();
  return upstream.port;
}

/**
 * An address where TCP connects hang: a listener in a stopped child process whose accept
 * queue (backlog 1) is already full, so the kernel drops further SYNs.
 */
export async function hangingConnectAddress(): Promise<{ url: string; release: () => void }> {
  const { spawn } = await import('node:child_process');
  const { connect } = await import('node:net');
  const child = spawn(
    process.execPath,
    ['-e', "require('net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, function () { console.log(this.address().port) })"],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve) => child.stdout.once('data', (data: Buffer) => resolve(Number(data.toString()))));
  process.kill(child.pid as number, 'SIGSTOP');
  const fillers: Socket[] = [];
  for (let i = 0; i < 8; i++) {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    fillers.push(socket);
    const connected = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true));
      setTimeout(() => resolve(false), 300);
    });
    if (!connected) break;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    release: () => {
      child.kill('SIGKILL');
      for (const socket of fillers) socket.destroy();
    },
  };
}
