// npm run bench:store — the document store's find-by-id latency and version-guarded upsert
// throughput at 1k and 100k documents, measured on throw-away instances of the
// mongo-java-server stand-in (H2 backend as in development, and the memory backend for
// comparison), written to docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { MongoClient, type AnyBulkWriteOperation, type Collection } from 'mongodb';
import { percentile, writeBenchmarkSection } from '@delivery/test-support';
import { createMongo, ensureComponent, mongo as installedMongo, statePath } from '../src/index.ts';
import { isPortOpen } from '../src/process/isPortOpen.ts';

const SIZES = [1_000, 100_000];
const FINDS = 2_000;
const SEQUENTIAL_UPSERTS = 2_000;
const BATCHES = 20;
const BATCH_SIZE = 500;

interface View {
  _id: string;
  version: number;
  stage: string;
  customerId: string;
  items: { menuId: string; name: string; quantity: number; unitPrice: number }[];
  updatedAt: Date;
}

type Backend = 'h2' | 'memory';
const BACKENDS: Backend[] = ['h2', 'memory'];

interface Result {
  backend: Backend;
  documents: number;
  findP50: number;
  findP99: number;
  sequentialOps: number;
  batchOps: number;
}

/** An order view of realistic size (≈ 400 bytes). */
const view = (id: string, version: number): View => ({
  _id: id,
  version,
  stage: 'PLACED',
  customerId: randomUUID(),
  items: [
    { menuId: randomUUID(), name: 'Bibimbap', quantity: 1, unitPrice: 9_000 },
    { menuId: randomUUID(), name: 'Tteokbokki', quantity: 2, unitPrice: 5_500 },
  ],
  updatedAt: new Date(),
});

/** The projections' write: version n applies only over an older version (else E11000). */
const guardedUpsert = (id: string, version: number): AnyBulkWriteOperation<View> => ({
  updateOne: {
    filter: { _id: id, version: { $lt: version } },
    update: { $set: { version, stage: 'ACCEPTED', updatedAt: new Date() } },
    upsert: true,
  },
});

const pick = <T>(values: readonly T[]): T => values[Math.floor(Math.random() * values.length)] as T;

async function measure(views: Collection<View>, backend: Backend, documents: number): Promise<Result> {
  await views.drop().catch(() => {});
  const ids = Array.from({ length: documents }, () => randomUUID());
  for (let start = 0; start < documents; start += 10_000) {
    await views.insertMany(ids.slice(start, start + 10_000).map((id) => view(id, 1)), { ordered: false });
  }
  const versions = new Map<string, number>(ids.map((id) => [id, 1]));
  const nextVersion = (id: string): number => {
    const version = (versions.get(id) ?? 0) + 1;
    versions.set(id, version);
    return version;
  };

  for (let i = 0; i < 200; i++) await views.findOne({ _id: pick(ids) }); // warm-up (JIT, connection)
  const latencies: number[] = [];
  for (let i = 0; i < FINDS; i++) {
    const startedAt = performance.now();
    await views.findOne({ _id: pick(ids) });
    latencies.push(performance.now() - startedAt);
  }
  latencies.sort((a, b) => a - b);

  let startedAt = performance.now();
  for (let i = 0; i < SEQUENTIAL_UPSERTS; i++) {
    const id = pick(ids);
    const version = nextVersion(id);
    await views.updateOne({ _id: id, version: { $lt: version } }, { $set: { version, stage: 'ACCEPTED', updatedAt: new Date() } }, { upsert: true });
  }
  const sequentialOps = SEQUENTIAL_UPSERTS / ((performance.now() - startedAt) / 1000);

  startedAt = performance.now();
  for (let batch = 0; batch < BATCHES; batch++) {
    // Distinct ids within a batch, as a consumer batch of one partition mostly is.
    const batchIds = new Set<string>();
    while (batchIds.size < Math.min(BATCH_SIZE, documents)) batchIds.add(pick(ids));
    await views.bulkWrite([...batchIds].map((id) => guardedUpsert(id, nextVersion(id))), { ordered: false });
  }
  const batchOps = (BATCHES * Math.min(BATCH_SIZE, documents)) / ((performance.now() - startedAt) / 1000);

  return { backend, documents, findP50: percentile(latencies, 0.5), findP99: percentile(latencies, 0.99), sequentialOps, batchOps };
}

function report(results: Result[], load: string): string {
  const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
  const nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  const driver = (createRequire(import.meta.url)('mongodb/package.json') as { version: string }).version;
  const ms = (value: number): string => `${value.toFixed(2)} ms`;
  const rate = (value: number): string => `${Math.round(value).toLocaleString('en-US')} ops/s`;
  return [
    '## Document store (mongo-java-server stand-in)',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:store\` on ${nproc} cores (${cpuModel}; load average`,
    `${load} when it started), Node ${process.version}, \`mongodb\` driver ${driver}, against mongo-java-server 1.47.0`,
    '(`-Xmx512m`) run by the project\'s launcher (`infra/mongo/MongoLauncher.java`, `_id`-first lookups), after',
    'a discarded warm-up round.',
    'These are the stand-in\'s figures, not MongoDB\'s. Client and server share the machine\'s cores; one',
    `connection, requests one after another. Finds: ${FINDS} random ids; one-at-a-time upserts: ${SEQUENTIAL_UPSERTS};`,
    `batches: ${BATCHES} \`bulkWrite\`s of ${BATCH_SIZE} distinct ids, \`ordered: false\`. The upsert is the projections'`,
    'version guard `updateOne({_id, version: {$lt: n}}, {$set: {..., version: n}}, {upsert: true})`. H2 is what',
    'development and the fault drills use (it persists); memory is shown for comparison.',
    '',
    '| backend | documents | find by `_id` p50 | find by `_id` p99 | guarded upsert, one at a time | guarded upsert, 500-op batches |',
    '|---|---:|---:|---:|---:|---:|',
    ...results.map((r) =>
      `| ${r.backend} | ${r.documents.toLocaleString('en-US')} | ${ms(r.findP50)} | ${ms(r.findP99)} | ${rate(r.sequentialOps)} | ${rate(r.batchOps)} |`),
    '',
  ].join('\n');
}

/** Measures every size on a fresh instance of the stand-in with that backend. */
async function measureBackend(backend: Backend): Promise<Result[]> {
  // A separate instance on a free port with its own files: the development store is untouched.
  let port = 27117;
  while (await isPortOpen('127.0.0.1', port)) port++;
  const dir = statePath('bench', 'mongo');
  rmSync(dir, { recursive: true, force: true });
  const store = createMongo({ address: { host: '127.0.0.1', port }, dir, backend, libs: statePath('mongo', 'libs') });
  await ensureComponent(store);
  const client = new MongoClient(`mongodb://127.0.0.1:${port}`, { directConnection: true });
  try {
    await client.connect();
    const views = client.db('bench_store').collection<View>('order_views');
    await measure(views, backend, 1_000); // warm-up: the JVM compiles the hot paths first
    const results: Result[] = [];
    for (const documents of SIZES) {
      const result = await measure(views, backend, documents);
      console.log(JSON.stringify(result));
      results.push(result);
    }
    return results;
  } finally {
    await client.close();
    await store.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const load = loadavg().map((value) => value.toFixed(2)).join(' / ');
if (!(await installedMongo.isInstalled())) await installedMongo.install();
const results: Result[] = [];
for (const backend of BACKENDS) results.push(...(await measureBackend(backend)));
const section = report(results, load);
console.log(`\n${section}\nwritten to ${writeBenchmarkSection(section)}`);
