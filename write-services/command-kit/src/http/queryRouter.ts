import type { DomainEvent } from '@delivery/contracts';
import { Problem } from '@delivery/runtime-kit';
import { type Request, type Response, Router } from 'express';
import type { DatabaseClient, SqlExecutor } from '../db/sqlExecutor.ts';
import type { AggregateState, Command } from '../domain/decider.ts';
import type { WriteServiceDefinition } from '../service/writeServiceDefinition.ts';
import { parseAggregateId } from './requestParsing.ts';

/**
 * `GET <collection>/{id}`: the aggregate as the contract's snapshot, with its version.
 * Used by the read model's fallback, never by end clients.
 */
export function queryRouter<S extends AggregateState, C extends Command, E extends DomainEvent, Tx extends SqlExecutor>(
  definition: WriteServiceDefinition<S, C, E, Tx>,
  db: DatabaseClient<Tx> & Tx,
): Router {
  const router = Router();
  router.get(`${definition.collectionPath}/:${definition.idField}`, async (req: Request, res: Response) => {
    const id = parseAggregateId(req.params[definition.idField], definition.idField);
    const state = await definition.repository.load(db, id);
    if (!state) throw new Problem('NOT_FOUND', `No ${definition.aggregateType} ${id}.`);
    res.json(definition.snapshot.schema.parse(definition.snapshot.of(state)));
  });
  return router;
}
