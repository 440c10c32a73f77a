import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { UpstreamSpec } from './routeFile.ts';

/**
 * One upstream service: its instances and one keep-alive connection pool (without it the
 * proxy opens a connection per request). Instances are taken round-robin; a retry moves on
 * to the next one, so a refused connection to one instance is retried on another.
 */
export interface UpstreamTarget {
  protocol: 'http:' | 'https:';
  host: string;
  hostname: string;
  port: number;
  /** The origin, for logs. */
  origin: string;
}

export class UpstreamPool {
  readonly name: string;
  readonly agent: HttpAgent;
  readonly targets: readonly UpstreamTarget[];
  readonly key: string;
  private next = 0;

  constructor(spec: UpstreamSpec) {
    this.name = spec.name;
    this.key = poolKey(spec);
    this.targets = spec.urls.map(toTarget);
    const options = {
      keepAlive: true,
      maxSockets: spec.maxSockets,
      maxFreeSockets: spec.maxSockets,
      // Idle pooled sockets close before the upstream's own keep-alive timeout (node: 5 s),
      // so a request is never written to a socket the upstream is closing.
      timeout: spec.idleTimeoutMs,
      scheduling: 'lifo' as const,
    };
    this.agent = this.targets[0]?.protocol === 'https:' ? new HttpsAgent(options) : new HttpAgent(options);
  }

  /** The instance for a request's first attempt. */
  start(): number {
    const start = this.next;
    this.next = (start + 1) % this.targets.length;
    return start;
  }

  /** The instance for attempt `attempt` of a request that started at `start`. */
  target(start: number, attempt: number): UpstreamTarget {
    return this.targets[(start + attempt) % this.targets.length] as UpstreamTarget;
  }

  destroy(): void {
    this.agent.destroy();
  }
}

/** Pools survive a reload when their upstream is unchanged (warm connections are kept). */
export function poolKey(spec: UpstreamSpec): string {
  return JSON.stringify([spec.name, spec.urls, spec.maxSockets, spec.idleTimeoutMs]);
}

function toTarget(origin: string): UpstreamTarget {
  const url = new URL(origin);
  const protocol = url.protocol === 'https:' ? 'https:' : 'http:';
  const hostname = url.hostname;
  return {
    protocol,
    host: hostname,
    hostname,
    port: url.port === '' ? (protocol === 'https:' ? 443 : 80) : Number(url.port),
    origin: url.origin,
  };
}
