// npm run bench:commands — what one command costs on the write path (issue #17), every row in
// one run on this machine: the mariadb-driver floor (PlaceOrder's statements, no HTTP), the
// order service direct without and with an Idempotency-Key, one dispatch and one delivery
// command, then fsyncs per command at 1, 4 and 16 concurrent callers (group commit).
// Services run as production does (own process, `node src/main.ts`, access log on) on
// throwaway schemas of the shared MariaDB, with real Kafka; wrk drives them. CPU per command
// comes from /proc (the service's and mariadbd's), statements, prepares and fsyncs from
// MariaDB's SHOW GLOBAL STATUS before and after each row. The section goes to
// docs/benchmarks.md.
//
// Settings (environment): BENCH_DURATION_S (10), BENCH_WARMUP_S (3), BENCH_CONNECTIONS (16),
// BENCH_ROWS (all: floor,order,order-key,dispatch,delivery,fsync), BENCH_REPORT, BENCH_BASELINE
// (a JSON file of an earlier run's rows, quoted in the text), BENCH_SAVE (where to write this
// run's rows as JSON).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrations, connectionConfig } from '@delivery/command-kit';
import { ensureInfrastructure, kafkaBrokers, mariadb, repoRoot } from '@delivery/infra';
import { createLogger } from '@delivery/runtime-kit';
import {
  adminQuery,
  BENCHMARKS_DOC,
  cpuSeconds,
  createThrowawayDatabase,
  deleteGroup,
  eventually,
  freePort,
  placeOrderBody,
  startGroupAtEnd,
  type ProfileSummary,
  parseWrkOutput,
  percentile,
  summariseCpuProfile,
  type ThrowawayDatabase,
  writeBenchmarkSection,
} from '@delivery/test-support';
import { createPool } from 'mariadb';
import { meetsLagTarget, wholeStack, wholeStackLines, type WholeStack } from './wholeStack.ts';

const settings = {
  duration: Number(process.env.BENCH_DURATION_S ?? 10),
  warmup: Number(process.env.BENCH_WARMUP_S ?? 3),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 16),
  rows: (process.env.BENCH_ROWS ?? 'floor,order,order-key,dispatch,delivery,fsync,whole').split(','),
  /** Runs per service row (the median by service CPU is reported: the machine is shared and noisy). */
  repeats: Number(process.env.BENCH_REPEATS ?? 3),
  /** The whole-stack rows' offered rates, commands/s (the highest is profiled too). */
  wholeRates: (process.env.BENCH_WHOLE_RATES ?? '50,100,200,300,400').split(',').map(Number),
};
const DOC = process.env.BENCH_REPORT ?? BENCHMARKS_DOC;
const SCRATCH = join(tmpdir(), `commands-bench-${process.pid}`);
mkdirSync(SCRATCH, { recursive: true });
/** Aggregates seeded for the commands that change one (each AcceptDispatch needs a REQUESTED dispatch of its own). */
const SEEDED = Number(process.env.BENCH_SEEDED ?? 90_000);

const STATUS = [
  'Com_select',
  'Com_insert',
  'Com_update',
  'Com_delete',
  'Com_begin',
  'Com_commit',
  'Com_rollback',
  'Com_stmt_prepare',
  'Com_stmt_execute',
  'Questions',
  'Innodb_data_fsyncs',
] as const;
type Status = Record<(typeof STATUS)[number], number>;

export interface Row {
  name: string;
  commands: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** CPU ms per command: the process under test (for the floor: the bench process, i.e. the driver). */
  serviceCpu: number;
  mariadbCpu: number;
  perCommand: Status;
  connections: number;
  /** Where the service's CPU goes, for a row that misses the CPU target (a separate profiled pass). */
  profile?: ProfileSummary;
  /** A service row is measured `repeats` times and the run with the median service CPU reported; these are all runs' figures. */
  runs?: { serviceCpu: number; perSecond: number }[];
}

/** Issue #17's target: service CPU per command, ms. */
const CPU_TARGET_MS = 0.6;

async function main(): Promise<void> {
  await ensureInfrastructure({ only: ['mariadb', 'kafka'] });
  const mariadbPid = mariadb.pid();
  if (mariadbPid === undefined) throw new Error('mariadbd is not ours (no pid file): its CPU cannot be measured');
  ensureWrk();
  const load = { before: loadavg() };
  const rows: Row[] = [];
  const fsync: Row[] = [];
  const want = (row: string) => settings.rows.includes(row);

  if (want('floor')) {
    rows.push(await floorRow(mariadbPid, 'prepared'), await floorRow(mariadbPid, 'one query'));
    for (const floor of rows) console.log(JSON.stringify(floor));
  }
  if (want('order') || want('order-key') || want('fsync')) {
    await withService('order', async (service) => {
      const body = luaString(JSON.stringify(placeOrderBody({ customerId: 'bench', requestNote: null })));
      const post = `wrk.method = "POST"\nwrk.body = ${body}\nwrk.headers["Content-Type"] = "application/json"\n`;
      const plain = script('order', post);
      const floorRate = Math.max(0, ...rows.filter((r) => r.name.startsWith('floor')).map((r) => r.perSecond));
      if (want('order')) rows.push(await serviceRow('order: PlaceOrder, direct', service, '/api/v1/orders', plain, mariadbPid, floorRate || undefined));
      if (want('order-key')) {
        const keyed = script(
          'order-key',
          `${post}local prefix = "${randomBytes(6).toString('hex')}-"\n-- Past the keys earlier runs of this script sent (BENCH_OFFSET): a repeated key would be a replay.\nlocal n = tonumber(os.getenv("BENCH_OFFSET")) or 0\nrequest = function()\n  n = n + 1\n  wrk.headers["Idempotency-Key"] = prefix .. n\n  return wrk.format()\nend\n`,
        );
        rows.push(await serviceRow('order: PlaceOrder, direct, Idempotency-Key', service, '/api/v1/orders', keyed, mariadbPid));
      }
      if (want('fsync')) {
        for (const connections of [1, 4, 16]) {
          fsync.push(await wrkRow(`order: PlaceOrder, ${connections} callers`, service, '/api/v1/orders', plain, mariadbPid, connections));
        }
      }
    });
  }
  if (want('dispatch')) {
    await withService('dispatch', async (service) => {
      await seed(service.database, 'dispatches', (id) => [id, id, 37.5, 127, 37.6, 127.1, 'REQUESTED'], [
        'id', 'order_id', 'pickup_lat', 'pickup_lng', 'dropoff_lat', 'dropoff_lng', 'status',
      ]);
      const lua = rotating(`"/api/v1/dispatches/" .. id(n) .. "/accept"`, `"{\\"riderId\\":\\"rider-" .. n .. "\\"}"`, SEEDED);
      rows.push(await serviceRow('dispatch: AcceptDispatch, direct', service, '/', script('dispatch', lua), mariadbPid));
    });
  }
  if (want('delivery')) {
    await withService('delivery', async (service) => {
      await seed(service.database, 'deliveries', (id) => [id, id, id, 'rider-1', 'READY'], ['id', 'order_id', 'dispatch_id', 'rider_id', 'status'], 4000);
      const lua = rotating(`"/api/v1/deliveries/" .. id(n % 4000) .. "/location"`, `'{"lat":37.5,"lng":127.0' .. (n % 10) .. '}'`, 4000, 'PUT');
      rows.push(await serviceRow('delivery: UpdateDeliveryLocation, direct', service, '/', script('delivery', lua), mariadbPid));
    });
  }
  const whole = want('whole') ? await wholeStack({ rates: settings.wholeRates, seconds: settings.duration, warmupSeconds: settings.warmup }) : undefined;
  if (whole) console.log(JSON.stringify(whole));
  const after = loadavg();
  if (process.env.BENCH_SAVE) writeFileSync(process.env.BENCH_SAVE, JSON.stringify({ rows, fsync, whole, load: { before: load.before, after } }, null, 2));
  writeReport(rows, fsync, whole, { before: load.before[0] ?? 0, after: after[0] ?? 0 });
  console.log(`written to ${DOC}`);
}

// ---- the floor: PlaceOrder's statements through the plain driver ----

/**
 * `prepared`: BEGIN, two prepared INSERTs, COMMIT, one round trip each (the driver's plain
 * use). `one query`: the two INSERTs and COMMIT as one text query on a connection with
 * autocommit off, as the order service sends them (driverDatabase.ts): one round trip.
 */
async function floorRow(mariadbPid: number, variant: 'prepared' | 'one query'): Promise<Row> {
  const database = await createThrowawayDatabase('order_db_floor');
  try {
    await applyMigrations({ databaseUrl: database.url, migrationsDir: join(repoRoot, 'prisma/order/migrations'), logger: createLogger('bench', 'silent') });
    const oneQuery = variant === 'one query';
    const pool = createPool({
      ...connectionConfig(database.url),
      connectionLimit: settings.connections,
      minimumIdle: settings.connections,
      ...(oneQuery ? { initSql: 'SET autocommit = 0', multipleStatements: true } : {}),
    });
    const insertOrder = `INSERT INTO orders (id, customer_id, store_id, items, total_amount, address_line, address_lat, address_lng, request_note, status, cancel_reason, version, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'PLACED', NULL, 1, ?, ?)`;
    const insertEvent = `INSERT INTO outbox_event (event_id, aggregate_id, version, event_type, topic, correlation_id, envelope, created_at) VALUES (?, ?, 1, 'OrderPlaced', 'order.event', ?, ?, UTC_TIMESTAMP(3))`;
    const body = placeOrderBody({ customerId: 'bench', requestNote: null });
    const envelope = JSON.stringify({ eventType: 'OrderPlaced', payload: body });
    const command = async () => {
      const id = crypto.randomUUID();
      const conn = await pool.getConnection();
      try {
        const now = new Date();
        const order = [id, body.customerId, body.storeId, JSON.stringify(body.items), 21000, body.deliveryAddress.line, body.deliveryAddress.lat, body.deliveryAddress.lng, null, now, now];
        const event = [crypto.randomUUID(), id, id, envelope];
        if (oneQuery) {
          await conn.query(`${insertOrder};\n${insertEvent};\nCOMMIT`, [...order, ...event]);
        } else {
          await conn.beginTransaction();
          await conn.execute(insertOrder, order);
          await conn.execute(insertEvent, event);
          await conn.commit();
        }
      } finally {
        await conn.release();
      }
    };
    const run = async (seconds: number) => {
      const latencies: number[] = [];
      const until = performance.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: settings.connections }, async () => {
          while (performance.now() < until) {
            const t0 = performance.now();
            await command();
            latencies.push(performance.now() - t0);
          }
        }),
      );
      return latencies;
    };
    await run(settings.warmup);
    const before = await measure(process.pid, mariadbPid);
    const started = performance.now();
    const latencies = await run(settings.duration);
    const elapsed = (performance.now() - started) / 1000;
    const after = await measure(process.pid, mariadbPid);
    await pool.end();
    latencies.sort((a, b) => a - b);
    return row(`floor: mariadb driver, PlaceOrder statements, ${oneQuery ? 'one query (as the service sends them)' : 'prepared, a round trip each'}`, before, after, latencies.length, 0, latencies.length / elapsed, percentile(latencies, 0.5), percentile(latencies, 0.99));
  } finally {
    await database.drop();
  }
}

// ---- services under wrk ----

interface ServiceProcess {
  name: string;
  url: string;
  pid: number;
  database: ThrowawayDatabase;
  /**
   * Runs `pass` against a new process of this service (same port, same database) under
   * `--cpu-prof`, stops it and summarises the profile: where a row's CPU goes, measured
   * apart from the row itself so that the profiler's own cost is not in its figures.
   */
  profiled(pass: (service: ServiceProcess) => Promise<void>): Promise<ProfileSummary>;
}

/** Runs `use` against a fresh instance of the service; a service that fails is reported and the other rows still run. */
async function withService(name: 'order' | 'dispatch' | 'delivery', use: (service: ServiceProcess) => Promise<void>): Promise<void> {
  await serviceRun(name, use).catch((error: unknown) => console.error(`${name} rows skipped: ${(error as Error).message}`));
}

async function serviceRun(name: 'order' | 'dispatch' | 'delivery', use: (service: ServiceProcess) => Promise<void>): Promise<void> {
  const database = await createThrowawayDatabase(`${name}_db_bench`);
  const groupId = `${database.name}-reactions`;
  await startGroupAtEnd(groupId);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let profiles = 0;
  const start = async (profileDir?: string): Promise<ChildProcess> => {
    const logFile = join(SCRATCH, `${name}.log`);
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(process.execPath, ['--conditions=source', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), join(repoRoot, `write-services/${name}/src/main.ts`)], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        [`${name.toUpperCase()}_DATABASE_URL`]: database.url,
        KAFKA_BROKERS: kafkaBrokers().join(','),
        REACTIONS_GROUP_ID: groupId,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    const outcome = await eventually(
      async () => (child.exitCode !== null ? `exited with ${child.exitCode}` : (await fetch(`${url}/health/ready`)).ok && 'ready'),
      { timeoutMs: 60_000, intervalMs: 200, what: `${name} service to be ready (see ${logFile})` },
    );
    if (outcome !== 'ready') throw new Error(`${name} service ${outcome}; see ${logFile}`);
    return child;
  };
  const stop = async (child: ChildProcess | undefined) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM'); // a graceful exit: --cpu-prof writes its profile then
    await exited;
  };
  let current: ChildProcess | undefined;
  try {
    current = await start();
    const service: ServiceProcess = {
      name,
      url,
      pid: current.pid ?? 0,
      database,
      profiled: async (pass) => {
        await stop(current);
        const dir = join(SCRATCH, `${name}-profile-${++profiles}`);
        mkdirSync(dir, { recursive: true });
        current = await start(dir);
        try {
          await pass({ ...service, pid: current.pid ?? 0 });
        } finally {
          await stop(current);
        }
        // The rows after this one measure an unprofiled process again.
        current = await start();
        service.pid = current.pid ?? 0;
        return summariseCpuProfile(dir, { topAreas: 10, topFrames: 10 });
      },
    };
    await use(service);
  } finally {
    await stop(current);
    await database.drop();
    await deleteGroup(groupId);
  }
}


/** Deterministic aggregate ids, the same in SQL and in wrk's Lua: `%08x-0000-4000-8000-000000000000`. */
const seededId = (n: number) => `${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
const LUA_ID = 'local function id(n) return string.format("%08x-0000-4000-8000-000000000000", n) end\n';

async function seed(database: ThrowawayDatabase, table: string, values: (id: string) => unknown[], columns: string[], count = SEEDED): Promise<void> {
  const all = [...columns, 'version', 'created_at', 'updated_at'];
  for (let start = 0; start < count; start += 2000) {
    const ids = Array.from({ length: Math.min(2000, count - start) }, (_, i) => seededId(start + i));
    await adminQuery(
      `INSERT INTO \`${database.name}\`.\`${table}\` (${all.join(', ')}) VALUES ${ids.map(() => `(${all.map(() => '?').join(', ')})`).join(', ')}`,
      ids.flatMap((id) => [...values(id), 1, new Date(), new Date()]),
    );
  }
}

/** A wrk script whose n-th request goes to `path(n)` with `body(n)`; n wraps at `count`. */
function rotating(path: string, body: string, count: number, method = 'POST'): string {
  // Starts past what the warm-up used (BENCH_OFFSET): an aggregate a command already moved on would refuse it again.
  return `${LUA_ID}local n = (tonumber(os.getenv("BENCH_OFFSET")) or 0) - 1\nrequest = function()\n  n = (n + 1) % ${count}\n  return wrk.format("${method}", ${path}, { ["Content-Type"] = "application/json" }, ${body})\nend\n`;
}

function script(name: string, lua: string): string {
  const file = join(SCRATCH, `${name}.lua`);
  writeFileSync(file, lua);
  return file;
}

const luaString = (text: string) => `[==[${text}]==]`;

/** A measured row and, when it misses the CPU target, a profiled pass of the same load. */
/** A row, profiled when it misses the CPU target or (given the floor's rate) the throughput target. */
async function serviceRow(name: string, service: ServiceProcess, path: string, lua: string, mariadbPid: number, floorPerSecond?: number): Promise<Row> {
  const runs: Row[] = [];
  for (let i = 0; i < Math.max(1, settings.repeats); i++) runs.push(await wrkRow(name, service, path, lua, mariadbPid));
  const sorted = [...runs].sort((a, b) => a.serviceCpu - b.serviceCpu);
  const measured: Row = { ...(sorted[Math.floor((sorted.length - 1) / 2)] as Row), runs: runs.map((r) => ({ serviceCpu: r.serviceCpu, perSecond: r.perSecond })) };
  const slow = floorPerSecond !== undefined && measured.perSecond < 0.5 * floorPerSecond;
  if (measured.serviceCpu <= CPU_TARGET_MS && !slow) return measured;
  const profile = await service.profiled(async (fresh) => {
    wrk(fresh.url + path, lua, settings.duration, settings.connections);
  });
  return { ...measured, profile };
}

async function wrkRow(name: string, service: ServiceProcess, path: string, lua: string, mariadbPid: number, connections = settings.connections): Promise<Row> {
  if (settings.warmup > 0) wrk(service.url + path, lua, settings.warmup, connections);
  const before = await measure(service.pid, mariadbPid);
  const result = wrk(service.url + path, lua, settings.duration, connections);
  const after = await measure(service.pid, mariadbPid);
  const good = result.requests - result.errors;
  const r = row(name, before, after, good, result.errors, good / settings.duration, result.p50, result.p99, connections);
  console.log(JSON.stringify(r));
  return r;
}

/** Requests each script has sent so far: the next run starts past them (see `rotating`). */
const sentBy = new Map<string, number>();

function wrk(url: string, lua: string, seconds: number, connections: number): { requests: number; errors: number; p50: number; p99: number } {
  if (!existsSync(lua)) throw new Error(`${lua} disappeared`);
  const offset = sentBy.get(lua) ?? 0;
  const output = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', lua, url], {
    encoding: 'utf8',
    env: { ...process.env, BENCH_OFFSET: String(offset) },
  });
  const result = parseWrkOutput(output);
  // Plus one per connection: the requests in flight when wrk stopped were sent but not counted
  // (the next run re-sending those aggregates' commands got 409s, one per connection).
  sentBy.set(lua, offset + result.requests + connections);
  return { requests: result.requests, errors: result.non2xx + result.socketErrors, p50: result.latencyMs(50), p99: result.latencyMs(99) };
}

function ensureWrk(): void {
  try {
    execFileSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' });
  } catch {
    execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '-q', '--no-install-recommends', 'wrk'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
}

// ---- counters ----

interface Snapshot {
  at: number;
  cpu: number;
  mariadbCpu: number;
  status: Status;
}

async function measure(pid: number, mariadbPid: number): Promise<Snapshot> {
  const rows = await adminQuery<{ Variable_name: string; Value: string }[]>(
    `SHOW GLOBAL STATUS WHERE Variable_name IN (${STATUS.map(() => '?').join(', ')})`,
    [...STATUS],
  );
  const status = Object.fromEntries(STATUS.map((name) => [name, Number(rows.find((r) => r.Variable_name === name)?.Value ?? 0)])) as Status;
  return { at: performance.now(), cpu: cpuSeconds(pid) ?? 0, mariadbCpu: cpuSeconds(mariadbPid) ?? 0, status };
}

function row(name: string, before: Snapshot, after: Snapshot, commands: number, errors: number, perSecond: number, p50: number, p99: number, connections = settings.connections): Row {
  const per = (delta: number) => (commands > 0 ? delta / commands : Number.NaN);
  return {
    name,
    commands,
    errors,
    perSecond,
    p50,
    p99,
    serviceCpu: per((after.cpu - before.cpu) * 1000),
    mariadbCpu: per((after.mariadbCpu - before.mariadbCpu) * 1000),
    perCommand: Object.fromEntries(STATUS.map((s) => [s, per(after.status[s] - before.status[s])])) as Status,
    connections,
  };
}

// ---- report ----

function writeReport(rows: Row[], fsync: Row[], whole: WholeStack | undefined, load: { before: number; after: number }): void {
  const f = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
  const statements = (s: Status) => `${f(s.Com_select + s.Com_insert + s.Com_update + s.Com_delete)} (${f(s.Com_select, 1)} S, ${f(s.Com_insert, 1)} I, ${f(s.Com_update, 1)} U)`;
  const baseline = process.env.BENCH_BASELINE && existsSync(process.env.BENCH_BASELINE)
    ? (JSON.parse(readFileSync(process.env.BENCH_BASELINE, 'utf8')) as { rows: Row[]; fsync: Row[]; load: { before: number[]; after: number[] } })
    : undefined;
  const table = (list: Row[]) => [
    '| row | commands/s | p50 ms | p99 ms | service CPU ms/cmd | MariaDB CPU ms/cmd | statements/cmd | prepares/cmd | executes/cmd | fsyncs/cmd | errors |',
    '|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|',
    ...list.map(
      (r) =>
        `| ${r.name} | ${f(r.perSecond, 0)} | ${f(r.p50, 1)} | ${f(r.p99, 1)} | ${f(r.serviceCpu)}${r.runs && r.runs.length > 1 ? ` (${r.runs.map((run) => f(run.serviceCpu)).join(', ')})` : ''} | ${f(r.mariadbCpu)} | ${statements(r.perCommand)} | ${f(r.perCommand.Com_stmt_prepare)} | ${f(r.perCommand.Com_stmt_execute)} | ${f(r.perCommand.Innodb_data_fsyncs)} | ${r.errors} |`,
    ),
  ];
  const fsyncTable = (list: Row[]) => [
    '| concurrent callers | commands/s | p50 ms | p99 ms | fsyncs/cmd | commits/cmd |',
    '|---:|---:|---:|---:|---:|---:|',
    ...list.map((r) => `| ${r.connections} | ${f(r.perSecond, 0)} | ${f(r.p50, 1)} | ${f(r.p99, 1)} | ${f(r.perCommand.Innodb_data_fsyncs)} | ${f(r.perCommand.Com_commit)} |`),
  ];
  // The faster floor: the service is held to the best the driver does with its statements.
  const floor = rows.filter((r) => r.name.startsWith('floor')).sort((a, b) => b.perSecond - a.perSecond)[0];
  const order = rows.find((r) => r.name === 'order: PlaceOrder, direct');
  const lines = [
    '## Write path: cost per command (`npm run bench:commands`)',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`npm run bench:commands\` (write-services/order/bench/commands.ts) on`,
    `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, MariaDB ${mariadbVersion()} (innodb_flush_log_at_trx_commit=1, binlog off), real Kafka.`,
    `Machine load: 1-minute load average ${f(load.before, 1)} before and ${f(load.after, 1)} after the run, on ${cpus().length} cores shared with`,
    'other work (other engineers\' test suites and benchmarks): commands/s and latencies move with it; CPU per command and the',
    'counters per command much less, so compare those. MariaDB\'s counters are global: another client\'s statements in the same',
    'seconds land in these rows too (they show up as fractions in rows that should have whole numbers).',
    '',
    `Each row: ${settings.warmup} s warm-up, then ${settings.duration} s of \`wrk -t1 -c${settings.connections}\` (closed loop) straight to the service (no gateway),`,
    'which runs in its own process as in production (`node src/main.ts`, access log on at info, to a file), on a throwaway schema.',
    `Service rows are run ${settings.repeats} times back to back; the row shows the run with the median service CPU, and every run's figure in brackets.`,
    'The floor runs the statements the order service makes for PlaceOrder (INSERT the order, INSERT the outbox row, in one',
    `transaction) through the plain \`mariadb\` driver, ${settings.connections} callers on a ${settings.connections}-connection pool, no HTTP, two ways: BEGIN, two prepared`,
    'INSERTs (prepare cache) and COMMIT, a round trip each; and both INSERTs and COMMIT as one text query on a connection with autocommit',
    'off, one round trip, as the service sends them since driverDatabase.ts queues writes nobody reads (the ratio below uses the faster);',
    'its "service CPU" is the bench process running the driver. Dispatch: AcceptDispatch on seeded REQUESTED dispatches (one each);',
    'delivery: UpdateDeliveryLocation rotating over 4000 seeded READY deliveries. Statements: Com_select + Com_insert +',
    'Com_update + Com_delete (S, I, U); begin and commit are not counted; the relay\'s polling and marking are included.',
    '',
    ...table(rows),
    '',
    '### Group commit: fsyncs per command as concurrency rises (order service, PlaceOrder)',
    '',
    ...fsyncTable(fsync),
    '',
  ];
  const verdict = (met: boolean) => (met ? 'met' : '**missed**');
  const services = rows.filter((r) => !r.name.startsWith('floor'));
  lines.push(
    '### Targets',
    '',
    '| target | measured | verdict |',
    '|---|---|---|',
    ...services.map((r) => `| ${r.name}: service CPU ≤ ${CPU_TARGET_MS} ms per command (moonshot 0.4) | ${f(r.serviceCpu)} ms | ${verdict(r.serviceCpu <= CPU_TARGET_MS)} |`),
    ...services.map((r) => `| ${r.name}: MariaDB CPU ≤ 0.6 ms per command | ${f(r.mariadbCpu)} ms | ${verdict(r.mariadbCpu <= 0.6)} |`),
    ...services.map((r) => `| ${r.name}: prepares per command ≈ 0 | ${f(r.perCommand.Com_stmt_prepare)} | ${verdict(r.perCommand.Com_stmt_prepare < 0.1)} |`),
    ...(floor && order
      ? [`| order service commands/s within 2x of the floor's (≥ 0.50x; the faster floor, ${f(floor.perSecond, 0)}/s) | ${f(order.perSecond / floor.perSecond)}x | ${verdict(order.perSecond / floor.perSecond >= 0.5)} |`]
      : []),
    '',
  );
  const profiled = rows.filter((r) => r.profile !== undefined);
  if (profiled.length > 0) {
    lines.push(
      '### Where the time goes (rows that miss a target: CPU per command, or the order row\'s throughput against the floor)',
      '',
      'Each is a separate pass of the same load against a fresh process of the service under `node --cpu-prof` (so the profiler\'s',
      'cost is not in the rows above): own time by area (npm package, node core, or the repository folder), then the inclusive share',
      'of the busiest frames, in % of the process\'s busy samples.',
      '',
    );
    for (const r of profiled) {
      const profile = r.profile as ProfileSummary;
      lines.push(
        `- **${r.name}** (${profile.busySamples} samples): ${profile.areas.map(([area, share]) => `${area} ${share} %`).join(', ')}.`,
        `  Busiest frames (inclusive): ${profile.frames.map(([frame, share]) => `\`${frame}\` ${share} %`).join(', ')}.`,
      );
    }
    lines.push('');
  }
  if (whole) {
    const target = whole.rows.find((row) => row.offeredRate === 200) ?? whole.rows.at(-1);
    const highest = whole.rows.filter(meetsLagTarget).at(-1);
    lines.push(
      `### The whole stack through the gateway at ${whole.rows.map((row) => row.offeredRate).join(', ')} commands/s offered (open loop)`,
      '',
      ...wholeStackLines(whole),
      '',
      ...(target
        ? [
            `Target: ${target.offeredRate} commands/s sustained with command-to-view lag p99 < 100 ms: ${verdict(meetsLagTarget(target))}` +
              (target.shortfalls.length > 0 ? ` (${target.shortfalls.join('; ')})` : '') +
              `; the highest rate of this run that meets it: ${highest ? `${highest.offeredRate} commands/s` : 'none'}.`,
          ]
        : []),
      '',
    );
  }
  if (baseline) {
    lines.push(
      '',
      `### Before this work (baseline run, load average ${f(baseline.load.before[0] ?? Number.NaN, 1)} → ${f(baseline.load.after[0] ?? Number.NaN, 1)})`,
      '',
      ...table(baseline.rows),
      '',
      ...fsyncTable(baseline.fsync),
    );
  }
  writeBenchmarkSection(lines.join('\n'), DOC);
}

function mariadbVersion(): string {
  try {
    return execFileSync('mariadbd', ['--version'], { encoding: 'utf8' }).split(/\s+/)[2] ?? '?';
  } catch {
    return '10.11';
  }
}

await main();
process.exit(0);
