import { createServer } from 'node:net';
import { SERVICES, type ServicePorts } from '@delivery/infra';

/** A TCP port the OS has just handed out on 127.0.0.1 and taken back: free for a test or benchmark process to listen on. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A free port per service, for test platforms that must not collide with `npm start`. */
export async function freePorts(): Promise<ServicePorts> {
  const ports: Partial<ServicePorts> = {};
  for (const s of SERVICES) ports[s.name] = await freePort();
  ports['gateway-admin'] = await freePort();
  return ports as ServicePorts;
}
