import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSchemathesis } from '@delivery/infra';
import { PROBLEM_TYPES } from '@delivery/runtime-kit';
import { type Exchange, readExchangeLog } from './exchanges.ts';

/** How much schemathesis generates: `npm test` keeps it small and fixed, `npm run fuzz` goes further. */
export interface FuzzBudget {
  /** `--max-examples`: cases per operation in the fuzzing phase. */
  maxExamples: number;
  /** `--phases`. */
  phases: readonly ('examples' | 'coverage' | 'fuzzing' | 'stateful')[];
  seed: number;
  /** Where hypothesis keeps what it found (`none`: nothing kept, every run the same). */
  database: string;
  /** `--max-time` per schemathesis run (seconds), if bounded. */
  maxTimeSeconds?: number;
}

export interface SchemathesisTarget {
  /** A label, e.g. `gateway/order`. */
  name: string;
  /** The schema: an OpenAPI document (object) or the path of a GraphQL SDL file. */
  schema: object | string;
  /** Base URL the requests go to. */
  url: string;
  /** The checks, if not the default `not_a_server_error` and the hooks' `problem_details`. */
  checks?: readonly string[];
  /** Extra `st run` arguments, e.g. `--exclude-method GET`. */
  args?: readonly string[];
}

export interface SchemathesisResult {
  target: string;
  exitCode: number | null;
  /** Every request sent and its answer. */
  exchanges: Exchange[];
  /** The end of schemathesis' own report (failures come with a curl line to reproduce). */
  output: string;
  ms: number;
}

const CHECKS = 'not_a_server_error,problem_details';
const HOOKS_DIR = import.meta.dirname;

/**
 * Runs `st run` once against one target with the platform's hooks (e2e/fuzz/fuzz_hooks.py):
 * the checks are "no 5xx" and "every 4xx is problem details" (the hooks' `problem_details`).
 * `workDir` holds the schema file, the exchange log and schemathesis' own files.
 */
export async function runSchemathesis(
  target: SchemathesisTarget,
  budget: FuzzBudget,
  workDir: string,
  seeds: Record<string, string[]>,
): Promise<SchemathesisResult> {
  const st = await ensureSchemathesis();
  const dir = join(workDir, target.name.replaceAll('/', '-'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let location: string;
  if (typeof target.schema === 'string') {
    location = target.schema;
  } else {
    location = join(dir, 'openapi.json');
    writeFileSync(location, JSON.stringify(target.schema));
  }
  const log = join(dir, 'exchanges.jsonl');
  const args = [
    'run',
    location,
    '--url',
    target.url,
    '--checks',
    target.checks?.join(',') ?? CHECKS,
    '--max-examples',
    String(budget.maxExamples),
    '--phases',
    budget.phases.join(','),
    '--seed',
    String(budget.seed),
    '--generation-database',
    budget.database,
    '--request-timeout',
    '20',
    '--workers',
    '1',
    '--suppress-health-check',
    'all',
    '--no-color',
    '--output-truncate',
    'true',
    ...(budget.maxTimeSeconds === undefined ? [] : ['--max-time', String(budget.maxTimeSeconds)]),
    ...(target.args ?? []),
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONPATH: HOOKS_DIR,
    SCHEMATHESIS_HOOKS: 'fuzz_hooks',
    FUZZ_EXCHANGE_LOG: log,
    FUZZ_PROBLEM_CODES: JSON.stringify(Object.fromEntries(Object.entries(PROBLEM_TYPES).map(([code, t]) => [code, t.status]))),
    FUZZ_SEEDS: JSON.stringify(seeds),
    FUZZ_RUN: `fz${budget.seed}-${target.name.replaceAll('/', '-')}`,
    PYTHONDONTWRITEBYTECODE: '1',
    NO_COLOR: '1',
  };
  const started = Date.now();
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(st, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exit) => resolve({ code: exit, output: text }));
  });
  writeFileSync(join(dir, 'output.txt'), output);
  return {
    target: target.name,
    exitCode: code,
    exchanges: readExchangeLog(log, target.name),
    output: output.split('\n').slice(-80).join('\n'),
    ms: Date.now() - started,
  };
}
