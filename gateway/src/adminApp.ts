import express, { type Express } from 'express';
import { healthRouter, metricsEndpoint, problemErrorHandler, routeNotFound, type Logger, type Registry } from '@delivery/runtime-kit';
import type { ApiDocument } from './apiDocument.ts';
import type { RouteSet } from './routeSet.ts';

/**
 * The gateway's own endpoints, on express: `/health/live`, `/health/ready`, `/metrics`, `/openapi.json` and,
 * when enabled, `GET /routes`. Proxied traffic never passes through express (see
 * docs/decisions/gateway-hot-path-outside-express.md).
 */
export interface AdminApp {
  app: Express;
  /** Ready answers 503 from now on (shutdown). */
  drain(): void;
}

export function adminApp(deps: {
  registry: Registry;
  logger: Logger;
  routes: () => RouteSet | undefined;
  admin: boolean;
  /** `GET /openapi.json`: the command API through the gateway (apiDocument.ts). */
  apiDocument?: ApiDocument;
}): AdminApp {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const health = healthRouter({ routes: () => Promise.resolve(deps.routes() !== undefined) });
  app.use(health);
  app.get('/metrics', metricsEndpoint(deps.registry));
  const apiDocument = deps.apiDocument;
  if (apiDocument) {
    app.get('/openapi.json', async (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.json(await apiDocument.document());
    });
  }
  if (deps.admin) app.get('/routes', (_req, res) => res.json({ routes: deps.routes()?.describe() ?? [] }));
  app.use(routeNotFound);
  app.use(problemErrorHandler(deps.logger));
  return {
    app,
    drain: () => (health as unknown as { drain: () => void }).drain(),
  };
}
