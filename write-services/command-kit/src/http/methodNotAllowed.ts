import { Problem, sendProblem } from '@delivery/runtime-kit';
import { Router } from 'express';

/** A known path with a method it does not serve answers 405 with `Allow`. */
export function methodNotAllowed(methodsByPath: ReadonlyMap<string, readonly string[]>): Router {
  const router = Router();
  for (const [path, methods] of methodsByPath) {
    const allow = [...new Set(methods.map((m) => m.toUpperCase()))].sort().join(', ');
    router.all(path, (req, res) => {
      sendProblem(
        res,
        new Problem('METHOD_NOT_ALLOWED', `${req.method} is not allowed here; use ${allow}.`, { headers: { Allow: allow } }),
      );
    });
  }
  return router;
}
