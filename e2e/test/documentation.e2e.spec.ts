import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DEFAULT_PORTS,
  repoRoot,
  servePlatformControl,
  signalComponent,
  startComponent,
  type ControlServer,
  type Platform,
  type ServicePorts,
} from '@delivery/infra';
import { eventually } from '@delivery/test-support';
import {
  type Bindings,
  differences,
  type FencedBlock,
  fencedBlocks,
  graphqlVariables,
  isHttpResponse,
  isSchemaDefinition,
  normalisedSchema,
  parseHttpMessage,
  substitute,
} from './support/documentation.ts';
import { startWholeSystem } from './support/wholeSystem.ts';

/**
 * The documentation stays true because this suite runs it, against one platform started
 * once (free ports, the real infrastructure):
 *
 * - docs/api.md: every example in order. A ```http request block is sent to the service its
 *   Host names (the default ports stand for this platform's) and the next block, its answer,
 *   is compared with what came back; a ```graphql operation is posted to /graphql and
 *   compared with the ```json block after it; a ```graphql block of type definitions must be
 *   in schema.graphql. How answers are compared (placeholders, timestamps): api.md's last
 *   section and `differences` in support/documentation.ts.
 * - docs/tutorial.md: every ```sh / ```bash block, in order, as written, with bash
 *   (`set -euo pipefail`: a failing command fails its block), GATEWAY, READ and ADMIN pointing
 *   at this platform and PLATFORM_CONTROL_SOCKET at its control socket, so that the
 *   tutorial's `npm run service -- kill order` kills this platform's order service and
 *   `npm run component -- stop redis` stops the shared Redis (this is a serial suite; afterAll
 *   restores the infrastructure whatever happened). Shell variables carry from one block to
 *   the next, as in one terminal. CONVENTION: a block whose first line is
 *   `# tutorial: not run` is skipped (it starts or stops the whole platform: `npm start`,
 *   `npm stop`); every other shell block runs.
 */
const API_PAGE = join(repoRoot, 'docs/api.md');
const TUTORIAL_PAGE = join(repoRoot, 'docs/tutorial.md');
const NOT_RUN = '# tutorial: not run';

type ApiExample =
  | { kind: 'http'; request: FencedBlock; answer: FencedBlock }
  | { kind: 'graphql'; operation: FencedBlock; answer: FencedBlock }
  | { kind: 'schema'; definition: FencedBlock };

/** api.md's examples: each request or operation paired with the block that follows it, its answer. */
function apiExamples(): ApiExample[] {
  const blocks = fencedBlocks(API_PAGE);
  const examples: ApiExample[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!;
    const next = blocks[i + 1];
    if (block.lang === 'http' && !isHttpResponse(block)) {
      if (!next || !isHttpResponse(next)) throw new Error(`api.md line ${block.line}: an HTTP request without an \`\`\`http answer after it`);
      examples.push({ kind: 'http', request: block, answer: next });
      i++;
    } else if (block.lang === 'graphql' && isSchemaDefinition(block.text)) {
      examples.push({ kind: 'schema', definition: block });
    } else if (block.lang === 'graphql') {
      if (next?.lang !== 'json') throw new Error(`api.md line ${block.line}: a GraphQL operation without a \`\`\`json answer after it`);
      examples.push({ kind: 'graphql', operation: block, answer: next });
      i++;
    } else if (block.lang === 'http') {
      throw new Error(`api.md line ${block.line}: an HTTP answer without a request before it`);
    }
  }
  return examples;
}

const tutorialBlocks = fencedBlocks(TUTORIAL_PAGE).filter((b) => (b.lang === 'sh' || b.lang === 'bash') && !b.text.trimStart().startsWith(NOT_RUN));
const firstCommand = (block: FencedBlock) => block.text.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith('#'))?.trim() ?? '';
const exampleName = (e: ApiExample) =>
  e.kind === 'http'
    ? `${e.request.text.trimStart().split('\n')[0]} (line ${e.request.line})`
    : e.kind === 'graphql'
      ? `GraphQL ${/(query|mutation)\s+(\w+)/.exec(e.operation.text)?.[2] ?? 'operation'} (line ${e.operation.line})`
      : `schema.graphql holds the ${/^\s*(\w+\s+\w+)/m.exec(e.definition.text.replace(/^#.*$/gm, ''))?.[1] ?? 'definition'} shown (line ${e.definition.line})`;

describe('the documentation, run against a running platform', () => {
  let platform: Platform;
  let control: ControlServer | undefined;
  let scratch = '';

  beforeAll(async () => {
    platform = await startWholeSystem('documentation', {}, { skipHistory: true });
    scratch = mkdtempSync(join(tmpdir(), 'docs-e2e-'));
    control = await servePlatformControl(platform, { socketPath: join(scratch, 'platform.sock') });
  }, 180_000);

  afterAll(async () => {
    // Whatever a failed block left behind: the infrastructure answers, the platform stops.
    signalComponent('mongo', 'SIGCONT');
    await startComponent('redis');
    await startComponent('mongo');
    await control?.close();
    await platform.stop();
    if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
  }, 120_000);

  describe('docs/api.md', () => {
    const bindings: Bindings = new Map([
      ['CUSTOMER_ID', `customer-${randomUUID().slice(0, 8)}`],
      ['IDEMPOTENCY_KEY', randomUUID()],
    ]);
    let caughtUp = false;
    const urls = () => platform.urls;
    /** The platform's origin for the service a documented `Host` (default port) names. */
    const originOf = (host: string): string => {
      const port = Number(host.split(':').pop());
      const service = (Object.keys(DEFAULT_PORTS) as (keyof ServicePorts)[]).find((name) => DEFAULT_PORTS[name] === port);
      if (!service) throw new Error(`Host ${host} is no default port of the platform`);
      return `http://127.0.0.1:${platform.ports[service]}`;
    };
    /**
     * Queries are answered from the views: wait once until they show the journey's end, the
     * order view from the cache and the customer's list with it (the list index is written
     * with the cache, which may follow a store write by seconds under load).
     */
    const awaitViews = async () => {
      if (caughtUp) return;
      const [orderId, customerId] = [bindings.get('ORDER_ID'), bindings.get('CUSTOMER_ID')];
      if (orderId === undefined) throw new Error('no $ORDER_ID: the journey before the queries did not run');
      const read = urls()['READ_MODEL_URL'];
      await eventually(
        async () => {
          const res = await fetch(`${read}/api/v1/orders/${orderId}`);
          const view = (await res.json()) as { stage?: string };
          if (res.status !== 200 || view.stage !== 'DELIVERED' || res.headers.get('x-read-source') !== 'cache') return false;
          const list = (await (await fetch(`${read}/api/v1/orders?customerId=${customerId}`)).json()) as { items?: { orderId: string; stage: string }[] };
          return list.items?.some((item) => item.orderId === orderId && item.stage === 'DELIVERED') === true;
        },
        { timeoutMs: 60_000, intervalMs: 100, what: "the journey's order view, DELIVERED, from the cache and in its customer's list" },
      );
      caughtUp = true;
    };
    const expectDocumented = (actual: unknown, documentedJson: string, where: string) => {
      let documented: unknown;
      try {
        documented = JSON.parse(documentedJson);
      } catch (error) {
        throw new Error(`${where}: the documented answer is not JSON: ${(error as Error).message}`);
      }
      expect([where, differences(actual, documented, bindings)]).toEqual([where, []]);
    };

    for (const example of apiExamples()) {
      it(exampleName(example), async () => {
        if (example.kind === 'schema') {
          const schema = normalisedSchema(readFileSync(join(repoRoot, 'schema.graphql'), 'utf8'));
          expect(schema).toContain(normalisedSchema(example.definition.text));
          return;
        }
        if (example.kind === 'graphql') {
          await awaitViews();
          const res = await fetch(`${urls()['READ_MODEL_URL']}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: example.operation.text, variables: graphqlVariables(example.operation.text, bindings) }),
          });
          expect(res.status).toBe(200);
          expectDocumented(await res.json(), example.answer.text, `api.md line ${example.answer.line}`);
          return;
        }
        const request = parseHttpMessage(substitute(example.request.text, bindings));
        const [method = '', target = ''] = request.startLine.split(' ');
        const headers = new Headers(request.headers);
        const host = headers.get('host');
        if (!host) throw new Error(`api.md line ${example.request.line}: the request names no Host`);
        headers.delete('host');
        if (originOf(host) === urls()['READ_MODEL_URL']) await awaitViews();
        const res = await fetch(`${originOf(host)}${target}`, { method, headers, ...(request.body === '' ? {} : { body: request.body }) });
        const answer = parseHttpMessage(example.answer.text);
        const where = `api.md line ${example.answer.line}`;
        const text = await res.text();
        expect([where, res.status, text]).toEqual([where, Number(answer.startLine.split(' ')[1]), expect.any(String)]);
        for (const [name, value] of answer.headers) {
          expect([where, name, res.headers.get(name)]).toEqual([where, name, substitute(value, bindings)]);
        }
        if (answer.body !== '') expectDocumented(JSON.parse(text), answer.body, where);
      });
    }
  });

  describe('docs/tutorial.md', () => {
    let failed: FencedBlock | undefined;
    // Each block in a bash of its own, reading the variables the blocks before it left
    // (`set -a` exports every assignment; `export -p` writes them out for the next block).
    const runner = [
      'set -euo pipefail',
      'if [ -f "$2" ]; then source "$2"; fi',
      'set -a',
      'source "$1"',
      'set +a',
      'export -p > "$2"',
    ].join('\n');

    for (const block of tutorialBlocks) {
      it(`block at line ${block.line} (${block.heading}): ${firstCommand(block)}`, async () => {
        if (failed) throw new Error(`not run: the block at line ${failed.line} failed`);
        const file = join(scratch, `block-${block.line}.sh`);
        writeFileSync(file, `${block.text}\n`);
        const outcome = await runShell(runner, [file, join(scratch, 'tutorial.env')], {
          ...process.env,
          GATEWAY: platform.urls['GATEWAY_URL']!,
          READ: platform.urls['READ_MODEL_URL']!,
          ADMIN: platform.urls['GATEWAY_ADMIN_URL']!,
          PLATFORM_CONTROL_SOCKET: control!.socketPath,
        });
        if (outcome.code !== 0) {
          failed = block;
          throw new Error(
            `tutorial.md line ${block.line} (${block.heading}) exited ${outcome.code ?? outcome.signal}\n--- block ---\n${block.text}\n--- output ---\n${outcome.output}`,
          );
        }
      }, 120_000);
    }
  });
});

interface ShellOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs `script` with bash in the repository (stdin closed), killing its whole process group after `timeoutMs`. */
function runShell(script: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<ShellOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script, 'tutorial', ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs} ms)`;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}
