import { type DomainEvent, SNAPSHOT_BATCH_MAX, Uuid } from '@delivery/contracts';
import { invalidFields, Problem } from '@delivery/runtime-kit';
import { type Request, type Response, Router } from 'express';
import type { DatabaseClient, SqlExecutor } from '../db/sqlExecutor.ts';
import type { AggregateState, Command } from '../domain/decider.ts';
import type { WriteServiceDefinition } from '../service/writeServiceDefinition.ts';
import { parseAggregateId } from './requestParsing.ts';

/** `?ids=a,b,c`: 1 to SNAPSHOT_BATCH_MAX UUIDs (canonical lower case), duplicates folded. */
function parseIds(value: unknown): string[] {
  const raw = typeof value === 'string' ? value.split(',') : [];
  const ids = raw.map((id) => Uuid.safeParse(id));
  if (raw.length === 0 || raw.length > SNAPSHOT_BATCH_MAX || ids.some((id) => !id.success)) {
    throw invalidFields([{ field: 'ids', message: `must be 1 to ${SNAPSHOT_BATCH_MAX} comma-separated UUIDs` }], 'query');
  }
  return [...new Set(ids.map((id) => id.data as string))];
}

/**
 * `GET <collection>/{id}`: the aggregate as the contract's snapshot, with its version;
 * `GET <collection>?ids=…`: the snapshots of the ids that exist, in one query. Used by the
 * read model's fallback, never by end clients.
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
  router.get(definition.collectionPath, async (req: Request, res: Response) => {
    const unknown = Object.keys(req.query).filter((name) => name !== 'ids');
    if (unknown.length > 0) throw invalidFields(unknown.map((field) => ({ field, message: 'is not a parameter of this query' })), 'query');
    const states = await definition.repository.loadMany(db, parseIds(req.query.ids));
    res.json({ items: states.map((state) => definition.snapshot.schema.parse(definition.snapshot.of(state))) });
  });
  return router;
}
