// `npm start`: provision and start the infrastructure, then the five services in the
// foreground. Ctrl-C, SIGTERM or `npm stop` (from another shell) stops everything.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureInfrastructure, infrastructureEnv, stopInfrastructure } from '../index.ts';
import { renderPrometheusConfig } from '../observability/prometheusConfig.ts';
import { startPrometheus, type RunningPrometheus } from '../observability/prometheus.ts';
import { scrapeTargets } from '../observability/scrapeTargets.ts';
import { DEFAULT_PORTS, SERVICES } from '../platform/services.ts';
import { servePlatformControl, type ControlServer } from '../platform/control.ts';
import { startPlatform, type RunningService } from '../platform/platform.ts';
import { stateDir } from '../state.ts';

const runDir = join(stateDir(), 'run');
const pidFile = join(runDir, 'platform.pid');
mkdirSync(runDir, { recursive: true });
writeFileSync(pidFile, String(process.pid));

const ports: typeof DEFAULT_PORTS = {
  ...(Object.fromEntries(
    SERVICES.map((s) => [s.name, Number(process.env[`${s.name.toUpperCase().replace('-', '_')}_PORT`] ?? s.defaultPort)]),
  ) as Omit<typeof DEFAULT_PORTS, 'gateway-admin'>),
  'gateway-admin': Number(process.env['GATEWAY_ADMIN_PORT'] ?? DEFAULT_PORTS['gateway-admin']),
};
// Listen addresses: loopback unless GATEWAY_HOST / READ_MODEL_HOST say otherwise (e.g. 0.0.0.0 to
// reach them from another machine); the write services always listen on loopback here.
const publicHosts = {
  gateway: process.env['GATEWAY_HOST'] ?? '127.0.0.1',
  'read-model': process.env['READ_MODEL_HOST'] ?? '127.0.0.1',
};

try {
  await ensureInfrastructure({
    onReady: (c) => console.log(`  ${c.name.padEnd(11)} ${c.address.padEnd(28)} ${c.outcome} in ${c.ms} ms (log ${c.logFile})`),
  });
  // Local development: the read model's GraphQL introspection and field suggestions on, for
  // schema tooling; off by default and in compose.yaml. An explicit GRAPHQL_INTROSPECTION wins.
  const devEnv = { GRAPHQL_INTROSPECTION: process.env['GRAPHQL_INTROSPECTION'] ?? 'true' };
  const platform = await startPlatform({ ports, env: { ...infrastructureEnv(), ...devEnv }, logDir: join(stateDir(), 'logs'), publicHosts });
  console.log('\nDelivery platform is running:');
  for (const s of platform.services) {
    console.log(`  ${s.definition.name.padEnd(11)} ${s.url}   (log ${s.logFile})`);
  }
  const origin = (name: 'gateway' | 'read-model') => platform.services.find((s) => s.definition.name === name)?.url;
  console.log('\nCommands → gateway %s, queries → read model %s', origin('gateway'), origin('read-model'));
  console.log('Write services listen on 127.0.0.1 only; the gateway on %s, the read model on %s.', publicHosts.gateway, publicHosts['read-model']);
  // Opt-in: PROMETHEUS=1 runs Prometheus (Debian's package) beside the platform with the shipped
  // ops/prometheus config, its targets rewritten to the ports above (PROMETHEUS_PORT, default 9090).
  let prometheus: RunningPrometheus | undefined;
  if (['1', 'true', 'yes'].includes((process.env['PROMETHEUS'] ?? '').toLowerCase())) {
    const dir = join(stateDir(), 'prometheus');
    try {
      prometheus = await startPrometheus({
        configFile: renderPrometheusConfig({ dir: join(dir, 'config'), targets: scrapeTargets(ports) }),
        dataDir: join(dir, 'data'),
        port: Number(process.env['PROMETHEUS_PORT'] ?? 9090),
        logFile: join(stateDir(), 'logs', 'prometheus.log'),
      });
      console.log(`\nPrometheus ${prometheus.url} (alerts ${prometheus.url}/alerts, log ${prometheus.logFile})`);
    } catch (error) {
      // The platform runs on without it.
      console.error(`\nPrometheus did not start: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  // `npm run service -- kill order` etc. (infra/src/cli/service.ts) reach this process here.
  let stopping = false;
  const meant = new WeakSet<RunningService['child']>();
  const watch = (s: RunningService) => {
    s.child.once('exit', (code, signal) => {
      if (!stopping && !meant.has(s.child)) console.error(`${s.definition.name} exited unexpectedly (${signal ?? `code ${code}`}); see ${s.logFile}`);
    });
  };
  let control: ControlServer | undefined;
  try {
    control = await servePlatformControl(platform, {
      onAction: (action, s) => {
        if (action === 'kill' || action === 'stop') {
          meant.add(s.child);
          console.log(`${s.definition.name}: ${action === 'kill' ? 'killed (SIGKILL)' : 'stopping'} on request (npm run service)`);
        } else {
          watch(s);
          console.log(`${s.definition.name}: started again on request, ${s.url} (log ${s.logFile})`);
        }
      },
    });
  } catch (error) {
    // The platform runs on without it; only `npm run service` needs it.
    console.error(`control socket not available: ${error instanceof Error ? error.message : String(error)}`);
  }
  console.log('Ctrl-C or `npm stop` stops everything; `npm run service -- kill|stop|start|restart <service>` acts on one service.');

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping services, then infrastructure…`);
    await control?.close();
    await prometheus?.stop();
    await platform.stop();
    await stopInfrastructure();
    rmSync(pidFile, { force: true });
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  for (const s of platform.services) watch(s);
} catch (error) {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  rmSync(pidFile, { force: true });
  process.exit(1);
}
