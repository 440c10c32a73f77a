import { MongoClient, type Db } from 'mongodb';
import { eventually } from '@delivery/test-support';
import type { AggregateKind, CommandRecord } from './commandLoad.ts';

/**
 * The drill's oracle, run once the fault is healed. For every aggregate a 2xx command
 * answered for, the owner's query API (the truth) and the read model's views, REST and
 * GraphQL, must agree on status and version, and the view must be at least at the version
 * the command answered. Lost: a 2xx effect missing from the view after convergence. Wrong:
 * a view whose status or version differs from the owner's. Applied twice: a stored view part
 * whose count of applied events (`applied`, kept by the projection) exceeds its aggregate's
 * version, read from the drill's own view database.
 */

export interface Finding {
  kind: AggregateKind;
  id: string;
  /** The last 2xx command on the aggregate. */
  requestId: string;
  detail: string;
}

export interface Verdict {
  aggregates: number;
  lost: Finding[];
  wrong: Finding[];
  appliedTwice: Finding[];
  convergeMs: number;
}

export interface Surfaces {
  readModel: string;
  owners: Record<AggregateKind, string>;
  /** The read model's MongoDB and database (the drill's own). */
  viewStore: { url: string; database: string };
}

const PLURAL: Record<AggregateKind, string> = { order: 'orders', dispatch: 'dispatches', delivery: 'deliveries' };

interface Expected {
  kind: AggregateKind;
  id: string;
  version: number;
  requestId: string;
}

interface State {
  status: string;
  version: number;
}

async function getState(url: string): Promise<State | undefined> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) {
    await response.body?.cancel();
    return undefined;
  }
  const body = (await response.json()) as State;
  return { status: body.status, version: body.version };
}

async function graphqlStates(readModel: string, batch: readonly Expected[]): Promise<Map<string, State | undefined>> {
  const fields = batch.map((e, i) => `a${i}: ${e.kind}(${e.kind}Id: "${e.id}") { status version }`).join('\n');
  const response = await fetch(`${readModel}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `{ ${fields} }` }),
    signal: AbortSignal.timeout(10_000),
  });
  const { data } = (await response.json()) as { data?: Record<string, State | null> };
  return new Map(batch.map((e, i) => [e.id, data?.[`a${i}`] ?? undefined]));
}

function expectedOf(records: readonly CommandRecord[]): Expected[] {
  const latest = new Map<string, Expected>();
  for (const r of records) {
    if (!r.aggregate) continue;
    const seen = latest.get(r.aggregate.id);
    if (!seen || r.aggregate.version >= seen.version) latest.set(r.aggregate.id, { ...r.aggregate, requestId: r.requestId });
  }
  return [...latest.values()];
}

async function findings(surfaces: Surfaces, expected: readonly Expected[]): Promise<{ lost: Finding[]; wrong: Finding[] }> {
  const lost: Finding[] = [];
  const wrong: Finding[] = [];
  for (let start = 0; start < expected.length; start += 50) {
    const batch = expected.slice(start, start + 50);
    const viaGraphql = await graphqlStates(surfaces.readModel, batch);
    await Promise.all(
      batch.map(async (e) => {
        const [owner, view] = await Promise.all([
          getState(`${surfaces.owners[e.kind]}/api/v1/${PLURAL[e.kind]}/${e.id}`),
          getState(`${surfaces.readModel}/api/v1/${PLURAL[e.kind]}/${e.id}`),
        ]);
        const finding = { kind: e.kind, id: e.id, requestId: e.requestId };
        const graph = viaGraphql.get(e.id);
        if (!view || view.version < e.version || !graph || graph.version < e.version) {
          lost.push({ ...finding, detail: `answered v${e.version}; REST view ${view ? `v${view.version}` : 'missing'}, GraphQL ${graph ? `v${graph.version}` : 'missing'}` });
        } else if (!owner || view.status !== owner.status || view.version !== owner.version || graph.status !== owner.status || graph.version !== owner.version) {
          wrong.push({ ...finding, detail: `owner ${owner ? `${owner.status} v${owner.version}` : 'missing'}; REST ${view.status} v${view.version}; GraphQL ${graph.status} v${graph.version}` });
        }
      }),
    );
  }
  return { lost, wrong };
}

interface StoredPart {
  version?: number;
  applied?: number;
}

/** Every stored part of each aggregate (its own view, and its part of the order view) whose applied events exceed its version. */
async function appliedTwice(db: Db, expected: readonly Expected[], owners: Surfaces['owners']): Promise<Finding[]> {
  const meta = await db.collection<{ _id: string; generation?: number }>('read_model_meta').findOne({ _id: 'active-generation' });
  const generation = meta?.generation ?? 1;
  const found: Finding[] = [];
  for (const e of expected) {
    const owner = await getState(`${owners[e.kind]}/api/v1/${PLURAL[e.kind]}/${e.id}`);
    if (!owner) continue;
    const own = await db.collection<{ _id: string; orderId?: string } & StoredPart & { order?: StoredPart }>(`${PLURAL[e.kind]}_gen${generation}`).findOne({ _id: e.id });
    const parts: [string, StoredPart | undefined][] = [];
    if (e.kind === 'order') parts.push(['order view', own?.order]);
    else {
      parts.push([`${e.kind} view`, own ?? undefined]);
      const orderDoc = own?.orderId ? await db.collection<Record<string, unknown> & { _id: string }>(`orders_gen${generation}`).findOne({ _id: own.orderId }) : null;
      parts.push([`order view's ${e.kind}`, (orderDoc?.[PLURAL[e.kind]] as Record<string, StoredPart> | undefined)?.[e.id]]);
    }
    for (const [where, part] of parts) {
      if ((part?.applied ?? 0) > owner.version) {
        found.push({ kind: e.kind, id: e.id, requestId: e.requestId, detail: `${where} applied ${part?.applied} events of ${owner.version}` });
      }
    }
  }
  return found;
}

/** Waits (bounded) until the views agree with the owners, then judges; a drill that never converges reports what stands. */
export async function judge(surfaces: Surfaces, records: readonly CommandRecord[], timeoutMs = 60_000): Promise<Verdict> {
  const expected = expectedOf(records);
  const started = Date.now();
  let last = { lost: [] as Finding[], wrong: [] as Finding[] };
  await eventually(
    async () => {
      last = await findings(surfaces, expected);
      return last.lost.length + last.wrong.length === 0;
    },
    { timeoutMs, intervalMs: 500, what: 'the views to converge' },
  ).catch(() => undefined);
  const convergeMs = Date.now() - started;
  const client = new MongoClient(surfaces.viewStore.url);
  try {
    const twice = await appliedTwice(client.db(surfaces.viewStore.database), expected, surfaces.owners);
    return { aggregates: expected.length, ...last, appliedTwice: twice, convergeMs };
  } finally {
    await client.close();
  }
}
