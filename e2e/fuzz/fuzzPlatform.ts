import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_TOPICS } from '@delivery/contracts';
import { kafkaBrokers, repoRoot, type Platform } from '@delivery/infra';
import { commandClient, placeOrderBody, sameApiForAll, validJourney, waitGroupConsumed } from '@delivery/test-support';
import { Kafka, logLevel } from 'kafkajs';
import { type Exchange, statusClasses } from './exchanges.ts';
import { fuzzGraphql } from './graphqlFuzz.ts';
import { startWholeSystem, viewDatabaseOf } from '../test/support/wholeSystem.ts';
import { tracesOfUnknownIds } from './readModelState.ts';
import { type FuzzBudget, runSchemathesis, type SchemathesisResult } from './schemathesisRun.ts';
import { judgeStoredState, snapshotStoredState, type StateVerdict, waitForRest } from './storedState.ts';

/**
 * One fuzz run against a running platform (docs/security.md, "Fuzzing"):
 * 1. seeds a few aggregates in every state through the gateway, so that fuzzed ids hit them;
 * 2. fingerprints the write services' schemas;
 * 3. fuzzes, at the same time, the command API through the gateway with the write services'
 *    own OpenAPI documents (their commands; their query GETs are not the gateway's), and the
 *    read model's REST API (its OpenAPI document) and GraphQL (schemathesis from the SDL for
 *    valid operations, e2e/fuzz/graphqlFuzz.ts for malformed ones);
 * 4. checks that every stored change is an accepted command's (storedState.ts), and that ids
 *    the read model answered as unknown left no trace in Redis or MongoDB;
 * 5. checks that every service process is still alive and ready.
 * Every answer is also checked here, independently of schemathesis: no 5xx, 4xx problem+json.
 */

export const FUZZ_SUITE = 'fuzz';

/**
 * The whole platform as the fuzz runs use it. One setting differs: the read model's MongoDB
 * deadline is 10 s instead of 1 s. The local MongoDB stand-in answers a list query with a full
 * scan (docs/decisions/mongo-stand-in-launcher.md), which passes 1 s once a machine's views hold
 * some ten thousand orders (`npm run drill` leaves that many): the read model then answers 503
 * by design, which says nothing about how it handles its input. The fault drills test deadlines.
 */
export function startFuzzSystem(): Promise<Platform> {
  return startWholeSystem(FUZZ_SUITE, { MONGO_READ_TIMEOUT_MS: '10000' });
}

export interface FuzzOptions {
  budget: FuzzBudget;
  /** Malformed GraphQL requests (graphqlFuzz.ts). */
  graphqlCases: number;
  /** Scratch folder: schemas, exchange logs, schemathesis output. */
  workDir: string;
  /** The suite name the platform was started with (startWholeSystem): its read model's group and stores. */
  suite: string;
  log?: (line: string) => void;
}

export interface TargetSummary {
  target: string;
  operations: number;
  cases: number;
  /** Fewest and most cases of one operation. */
  perOperation: { min: number; max: number };
  statuses: Record<string, number>;
  ms: number;
}

export interface FuzzReport {
  seeds: Record<string, string[]>;
  targets: TargetSummary[];
  state: StateVerdict;
  /** Every failure of the run; empty when the run passed. */
  failures: string[];
  ms: number;
}

/** A few aggregates in each state, through the gateway; their ids by path parameter name. */
async function seedAggregates(gatewayUrl: string): Promise<Record<string, string[]>> {
  const apis = sameApiForAll(commandClient(gatewayUrl));
  const placed = await apis.order.send('POST', '/api/v1/orders', placeOrderBody());
  const accepted = await validJourney.acceptedOrder(apis);
  const requested = await validJourney.requestedDispatch(apis);
  const assigned = await validJourney.acceptedDispatch(apis, 'rider-fuzz');
  const ready = await validJourney.readyDelivery(apis, 'rider-fuzz');
  const picked = await validJourney.readyDelivery(apis, 'rider-fuzz-2');
  const pickedUp = await apis.delivery.send('POST', `/api/v1/deliveries/${picked.deliveryId}/pickup`);
  if (placed.status !== 201 || pickedUp.status !== 200) throw new Error(`seeding failed: ${placed.status} ${pickedUp.status}`);
  return {
    orderId: [(placed.body as { orderId: string }).orderId, accepted, requested.orderId, assigned.orderId, ready.orderId, picked.orderId],
    dispatchId: [requested.dispatchId, assigned.dispatchId, ready.dispatchId, picked.dispatchId],
    deliveryId: [ready.deliveryId, picked.deliveryId],
  };
}

/** The write services' documents as one: their paths and schemas side by side (paths are disjoint). */
function commandApi(documents: readonly object[]): object {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const document of documents as { paths?: Record<string, unknown>; components?: { schemas?: Record<string, unknown> } }[]) {
    Object.assign(paths, document.paths);
    Object.assign(schemas, document.components?.schemas);
  }
  return { openapi: '3.1.0', info: { title: 'Command API (order, dispatch and delivery services) through the gateway', version: '1.0.0' }, paths, components: { schemas } };
}

async function openApiOf(url: string): Promise<object> {
  const res = await fetch(`${url}/openapi.json`);
  if (!res.ok) throw new Error(`${url}/openapi.json answered ${res.status}`);
  return (await res.json()) as object;
}

function summarize(target: string, exchanges: readonly Exchange[], ms: number): TargetSummary {
  const perOperation = new Map<string, number>();
  for (const e of exchanges) perOperation.set(e.operation, (perOperation.get(e.operation) ?? 0) + 1);
  const counts = [...perOperation.values()];
  return {
    target,
    operations: perOperation.size,
    cases: exchanges.length,
    perOperation: { min: counts.length > 0 ? Math.min(...counts) : 0, max: counts.length > 0 ? Math.max(...counts) : 0 },
    statuses: statusClasses(exchanges),
    ms,
  };
}

/** The checks of every answer, independent of the fuzzer's own. */
function answerFailures(exchanges: readonly Exchange[]): string[] {
  const failures: string[] = [];
  for (const e of exchanges) {
    if (e.target.includes('graphql')) continue; // judged by GraphQL's conventions (graphqlFuzz.ts, fuzz_hooks.py)
    const where = `${e.target}: ${e.method} ${e.path.slice(0, 200)}`;
    if (e.status >= 500) failures.push(`${where} → ${e.status} ${e.body.slice(0, 300)}`);
    else if (e.status >= 400 && !(e.contentType ?? '').startsWith('application/problem+json')) failures.push(`${where} → ${e.status} as ${e.contentType ?? 'no content type'}: ${e.body.slice(0, 200)}`);
  }
  return failures;
}

function schemathesisFailures(result: SchemathesisResult): string[] {
  if (result.exitCode === 0) return [];
  return [`${result.target}: schemathesis exited ${String(result.exitCode)}; its report ends:\n${result.output}`];
}

async function liveness(platform: Platform): Promise<string[]> {
  const problems: string[] = [];
  for (const service of platform.services) {
    const current = platform.service(service.definition.name) ?? service;
    if (current.child.exitCode !== null || current.child.signalCode !== null) {
      problems.push(`${service.definition.name} exited (${String(current.child.exitCode ?? current.child.signalCode)}); log ${current.logFile}`);
      continue;
    }
    try {
      const res = await fetch(`${current.url}/health/ready`, { signal: AbortSignal.timeout(5_000) });
      if (!res.ok) problems.push(`${service.definition.name} /health/ready answered ${res.status}`);
    } catch (error) {
      problems.push(`${service.definition.name} /health/ready: ${(error as Error).message}`);
    }
  }
  return problems;
}

export async function fuzzPlatform(platform: Platform, options: FuzzOptions): Promise<FuzzReport> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const urlOf = (name: string): string => {
    const url = platform.urls[name];
    if (url === undefined) throw new Error(`the platform has no ${name}`);
    return url;
  };
  const gateway = urlOf('GATEWAY_URL');
  const readModel = urlOf('READ_MODEL_URL');
  mkdirSync(options.workDir, { recursive: true });
  const failures: string[] = [];
  const targets: TargetSummary[] = [];
  const record = (result: SchemathesisResult) => {
    targets.push(summarize(result.target, result.exchanges, result.ms));
    failures.push(...schemathesisFailures(result), ...answerFailures(result.exchanges));
    log(`  ${result.target}: ${result.exchanges.length} requests in ${(result.ms / 1000).toFixed(1)} s, exit ${String(result.exitCode)}`);
  };

  const seeds = await seedAggregates(gateway);
  await waitForRest();
  const before = await snapshotStoredState();

  // Commands through the gateway, described by the write services' own documents (their
  // command paths are disjoint: one document, one schemathesis process), and at the same
  // time the queries: REST, then GraphQL (valid operations from the SDL, then malformed ones).
  const commandsJob = (async () => {
    const documents = await Promise.all((['ORDER_URL', 'DISPATCH_URL', 'DELIVERY_URL'] as const).map((name) => openApiOf(urlOf(name))));
    return runSchemathesis(
      { name: 'gateway', schema: commandApi(documents), url: gateway, args: ['--exclude-method', 'GET'] },
      options.budget,
      options.workDir,
      seeds,
    );
  })();
  const queriesJob = (async () => {
    // The read model first catches up with the events (a suite's first run replays the topics
    // from their start): the fuzz judges answers to inputs, not a store busy with a replay.
    const kafka = new Kafka({ clientId: 'fuzz-lag', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    const caughtUp = Date.now();
    await waitGroupConsumed(kafka, `read-model-e2e-${options.suite}`, Object.values(EVENT_TOPICS), { timeoutMs: 600_000, intervalMs: 500 });
    log(`  read model caught up with the events in ${((Date.now() - caughtUp) / 1000).toFixed(1)} s`);
    const rest = await runSchemathesis({ name: 'read-model/rest', schema: await openApiOf(readModel), url: readModel }, options.budget, options.workDir, seeds);
    // GraphQL answers a bad argument with a field error (docs/decisions/read-model-graphql.md), which
    // schemathesis' not_a_server_error counts as a server error: the hooks' check judges GraphQL instead.
    const graphql = await runSchemathesis(
      { name: 'read-model/graphql', schema: join(repoRoot, 'schema.graphql'), url: `${readModel}/graphql`, checks: ['problem_details'] },
      options.budget,
      options.workDir,
      seeds,
    );
    const malformed = await fuzzGraphql(readModel, seeds, options.graphqlCases, options.budget.seed);
    return { rest, graphql, malformed };
  })();
  const [commands, { rest, graphql, malformed }] = await Promise.all([commandsJob, queriesJob]);
  for (const result of [commands, rest, graphql]) record(result);
  targets.push(summarize('read-model/graphql-malformed', malformed.exchanges, malformed.ms));
  failures.push(...malformed.failures.map((f) => `read-model/graphql-malformed: ${f}`));
  log(`  read-model/graphql-malformed: ${malformed.exchanges.length} requests in ${(malformed.ms / 1000).toFixed(1)} s, ${malformed.failures.length} failure(s)`);

  // Nothing stored changed but for accepted commands.
  await waitForRest(2_000);
  const after = await snapshotStoredState();
  const state = await judgeStoredState(before, after, commands.exchanges);
  failures.push(...state.violations.map((v) => `stored state: ${v}`));
  log(`  stored state: ${JSON.stringify(state.counts)}, ${state.violations.length} violation(s)`);

  // Ids the read model answered as unknown left no trace in its stores.
  const unknownIds = [
    ...rest.exchanges.filter((e) => e.status === 404).map((e) => e.path.split('?')[0]?.split('/').at(-1) ?? ''),
    ...malformed.unknownIds,
  ].filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id));
  const traces = await tracesOfUnknownIds(unknownIds, `e2e:${options.suite}:`, viewDatabaseOf(options.suite));
  failures.push(...traces.map((t) => `read model stores: ${t}`));
  log(`  read model stores: ${unknownIds.length} unknown id(s) checked, ${traces.length} trace(s)`);

  failures.push(...(await liveness(platform)).map((p) => `liveness: ${p}`));
  return { seeds, targets, state, failures, ms: Date.now() - started };
}

/** The report as a few lines of text. */
export function describeReport(report: FuzzReport): string {
  const lines = report.targets.map(
    (t) =>
      `${t.target.padEnd(30)} ${String(t.operations).padStart(2)} operation(s) ${String(t.cases).padStart(6)} requests (${t.perOperation.min}–${t.perOperation.max} per operation) ${JSON.stringify(t.statuses)} ${(t.ms / 1000).toFixed(1)} s`,
  );
  const c = report.state.counts;
  lines.push(
    `stored state: ${c.acceptedExchanges} accepted and ${c.rejectedExchanges} refused commands; ${c.newOutboxRows} new event(s), ${c.changedAggregates} aggregate row(s), ${c.changedFacts} fact row(s), ${c.newReactionInbox} reaction inbox row(s), ${c.storedAnswers} stored answer(s) and ${c.storedRefusals} stored refusal(s) of Idempotency-Keys; ${report.state.violations.length} unexplained change(s)`,
  );
  lines.push(`total ${report.targets.reduce((n, t) => n + t.cases, 0)} requests in ${(report.ms / 1000).toFixed(1)} s, ${report.failures.length} failure(s)`);
  return lines.join('\n');
}
