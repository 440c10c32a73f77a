import type { Command } from '../domain/decider.ts';
import type { CommandRoute } from '../service/commandRoute.ts';

/** Express path of a route, e.g. `/api/v1/orders/:orderId/accept`. */
export function expressPath(collectionPath: string, idField: string, route: CommandRoute<Command>): string {
  return route.creates ? collectionPath : `${collectionPath}/:${idField}${route.action}`;
}

/**
 * The path of one command as the table spells it, with the canonical (lower-case) id, e.g.
 * `/api/v1/orders/0b6c…/accept`: whatever letter case the request used, one aggregate's
 * command has one path, so one idempotency scope.
 */
export function canonicalPath(collectionPath: string, route: CommandRoute<Command>, aggregateId: string): string {
  return route.creates ? collectionPath : `${collectionPath}/${aggregateId}${route.action}`;
}
