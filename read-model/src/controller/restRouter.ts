import { Router, type Request, type RequestHandler, type Response } from 'express';
import { Uuid } from '@delivery/contracts';
import { Problem, requestIdFrom, sendProblem } from '@delivery/runtime-kit';
import type { ViewName } from '../handler/index.ts';
import { OrderListParams, type ViewReader } from '../service/index.ts';
import { validationProblem } from './validationProblem.ts';

export const READ_SOURCE_HEADER = 'X-Read-Source';

const asyncRoute =
  (handler: (req: Request, res: Response) => Promise<void>): RequestHandler =>
  (req, res, next) => {
    handler(req, res).catch(next);
  };

/** GET is the only method here; commands go to the gateway. */
const onlyGet: RequestHandler = (req, res) => {
  res.setHeader('Allow', 'GET, HEAD');
  sendProblem(res, new Problem('METHOD_NOT_ALLOWED', `${req.method} is not served by the read model; send commands to the gateway.`));
};

/**
 * The legacy REST GETs. Only translates HTTP to the service and back: ids and query
 * parameters are validated here (400), the answer's source goes in X-Read-Source.
 */
export function restRouter(reader: ViewReader): Router {
  const router = Router();

  const byId = (view: ViewName, param: string, label: string): RequestHandler =>
    asyncRoute(async (req, res) => {
      const id = Uuid.safeParse(req.params[param]);
      if (!id.success) throw validationProblem(id.error, param);
      const found = await reader.load(view, id.data, { requestId: requestIdFrom(res) });
      if (!found) throw new Problem('NOT_FOUND', `No ${label} ${id.data}.`);
      res.setHeader(READ_SOURCE_HEADER, found.source);
      res.json(found.view);
    });

  router.get('/api/v1/orders/:orderId', byId('orders', 'orderId', 'order'));
  router.get('/api/v1/dispatches/:dispatchId', byId('dispatches', 'dispatchId', 'dispatch'));
  router.get('/api/v1/deliveries/:deliveryId', byId('deliveries', 'deliveryId', 'delivery'));
  router.get(
    '/api/v1/orders',
    asyncRoute(async (req, res) => {
      const params = OrderListParams.safeParse(req.query);
      if (!params.success) throw validationProblem(params.error);
      const page = await reader.listOrders(params.data);
      res.setHeader(READ_SOURCE_HEADER, page.source);
      res.json({ items: page.items, nextCursor: page.nextCursor });
    }),
  );
  for (const path of ['/api/v1/orders', '/api/v1/orders/:orderId', '/api/v1/dispatches/:dispatchId', '/api/v1/deliveries/:deliveryId']) {
    router.all(path, onlyGet);
  }
  return router;
}
