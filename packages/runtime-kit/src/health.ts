import { Router } from 'express';

export type ReadinessCheck = () => Promise<boolean>;

/**
 * `/health/live` answers while the process can serve at all; `/health/ready` runs every
 * named check (bounded by a timeout each) and answers 503 listing the failing ones.
 */
export function healthRouter(checks: Record<string, ReadinessCheck> = {}, timeoutMs = 2000): Router {
  const router = Router();
  let draining = false;
  router.get('/health/live', (_req, res) => {
    res.json({ status: 'UP' });
  });
  router.get('/health/ready', (_req, res, next) => {
    runChecks(checks, timeoutMs)
      .then((results) => {
        const ready = !draining && Object.values(results).every(Boolean);
        res.status(ready ? 200 : 503).json({ status: ready ? 'UP' : 'DOWN', draining, checks: results });
      })
      .catch(next);
  });
  Object.defineProperty(router, 'drain', { value: () => (draining = true) });
  return router;
}

async function runChecks(checks: Record<string, ReadinessCheck>, timeoutMs: number): Promise<Record<string, boolean>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      const ok = await Promise.race([
        check().catch(() => false),
        new Promise<boolean>((resolve) => setTimeout(resolve, timeoutMs, false).unref()),
      ]);
      return [name, ok] as const;
    }),
  );
  return Object.fromEntries(entries);
}
