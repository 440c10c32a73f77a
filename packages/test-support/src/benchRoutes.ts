import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@delivery/infra';
import { parseDocument } from 'yaml';

/**
 * The shipped gateway route file (gateway/routes.yaml) with every rate limit raised to
 * `limit` per second (and burst): a benchmark's load comes from one address, far above the
 * shipped per-client limits, yet every request still goes through the limiter. Everything
 * else as shipped. Returns the YAML text.
 */
export function routesWithoutRateLimits(limit = 1_000_000): string {
  const document = parseDocument(readFileSync(join(repoRoot, 'gateway/routes.yaml'), 'utf8'));
  const unreachable = { rate: limit, burst: limit };
  document.setIn(['defaults', 'rateLimit'], unreachable);
  const routes = (document.toJS() as { routes?: { rateLimit?: unknown }[] }).routes ?? [];
  routes.forEach((route, index) => {
    if (route.rateLimit !== undefined) document.setIn(['routes', index, 'rateLimit'], unreachable);
  });
  return document.toString();
}
