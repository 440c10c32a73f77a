import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy a test can cut, stall and restore: a network partition (or a hang) between
 * the read model and one store, while the store itself keeps running (and keeps its data)
 * for other suites.
 */
export class TcpProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #held: [Socket, Buffer][] = [];
  #cut = false;
  #stalled = false;

  constructor(target: { host: string; port: number }) {
    this.#server = createServer((client) => {
      if (this.#cut) {
        client.destroy();
        return;
      }
      const upstream = connect(target.port, target.host);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.once('close', () => this.#sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      const forward = (from: Socket, to: Socket) =>
        from.on('data', (chunk: Buffer) => {
          if (this.#stalled) this.#held.push([to, chunk]);
          else to.write(chunk);
        });
      forward(client, upstream);
      forward(upstream, client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return (this.#server.address() as { port: number }).port;
  }

  /** Drops every connection and refuses new ones until restored. */
  cut(): void {
    this.#cut = true;
    for (const socket of this.#sockets) socket.destroy();
  }

  /** Keeps connections open but holds every byte (a hang, not a disconnect) until restored. */
  stall(): void {
    this.#stalled = true;
  }

  restore(): void {
    this.#cut = false;
    this.#stalled = false;
    for (const [to, chunk] of this.#held.splice(0)) if (!to.destroyed) to.write(chunk);
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
