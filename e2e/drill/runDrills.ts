// `npm run drill`: every fault drill in full (at least 2,000 commands each, Kafka down 30 s),
// one at a time against one platform; writes the table to docs/reliability.md and exits
// non-zero if any drill lost, doubled or corrupted a command.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { repoRoot, signalComponent, startComponent } from '@delivery/infra';
import { startWholeSystem, viewDatabaseOf } from '../test/support/wholeSystem.ts';
import { FAULT_DRILLS, failures, reportTable, runDrill, type DrillReport, type DrillTiming } from './faultDrill.ts';

const FULL: DrillTiming = { commandsPerSecond: 50, beforeMs: 10_000, faultMs: 20_000, afterMs: 15_000, convergeTimeoutMs: 180_000 };
const FAULT_MS: Record<string, number> = { 'kafka-stopped': 30_000 };

const only = process.argv.slice(2);
const platform = await startWholeSystem('drill');
const reports: DrillReport[] = [];
try {
  for (const drill of FAULT_DRILLS.filter((d) => only.length === 0 || only.includes(d.name))) {
    console.log(`▶ ${drill.name}: ${drill.fault}`);
    const report = await runDrill(platform, drill, { ...FULL, faultMs: FAULT_MS[drill.name] ?? FULL.faultMs }, viewDatabaseOf('drill'));
    reports.push(report);
    console.log(reportTable([report]).split('\n').at(-1));
    for (const line of failures(report)) console.log(`  ${line}`);
  }
} finally {
  signalComponent('redis', 'SIGCONT');
  await startComponent('kafka');
  await startComponent('mariadb');
  await startComponent('mongo');
  await platform.stop();
}

function observations(r: DrillReport): string {
  const seen = [
    r.observed.injected,
    r.observed.duplicatesOnKafka === undefined ? undefined : `${r.observed.duplicatesOnKafka} event(s) reached Kafka twice, each shown once by the views`,
    r.changedDuringFault > 0 ? `${r.changedDuringFault} order view(s) changed during the fault, each read back at the owner's version` : undefined,
    r.drill.duringFault ? (r.observed.broken.length === 0 ? 'every promise for the time of the fault held' : `broken: ${r.observed.broken.join('; ')}`) : undefined,
  ].filter((s) => s !== undefined);
  return `- **${r.drill.name}**: ${seen.join('; ') || 'nothing beyond the counts'}.`;
}

const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const doc = `# Reliability: fault drills

Written by \`npm run drill\` (e2e/drill/). Each drill runs a steady open-loop load of whole
journeys through the gateway (${FULL.commandsPerSecond} commands/s; the client never retries
and counts a timeout as a failure), injects one real fault, heals it, waits for the views to
converge (bounded), then checks every command that got a 2xx against the owner's query API
and the read model (REST and GraphQL). Lost: a 2xx effect missing from the views. Wrong: a
view whose status or version differs from the owner's. Applied twice: a stored view part
whose count of applied events (kept by the projection) exceeds its aggregate's version.
\`npm test\` runs the same drills
scaled down (e2e/test/faultDrills.fault.e2e.spec.ts).

Machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, load average ${load} at the end; ${new Date().toISOString().slice(0, 10)}.

${reportTable(reports)}

What each drill saw besides the counts:

${reports.map(observations).join('\n')}

Errors during the fault are the share of commands sent between injecting and healing that
did not get a 2xx (a SIGKILLed order service refuses order commands at its breaker, and the
rules that need the order service answer DEPENDENCY_UNAVAILABLE; the outbox-crash drill
restarts the order service twice, so its order commands are refused the same way meanwhile;
while MariaDB is down the write services answer 503 and the gateway's breakers open). While
MongoDB is down the drill also checks the read side's promises (storeDownPromises.ts): a
cached view answers from Redis, a missed REST read answers 200 from the write service
(\`X-Read-Source: fallback\`, without the view-only fields), a list answers 503, GraphQL answers
the critical fields with field errors for the rest, and the projection pauses. The
read-model kill waits for \`read_model_batch_in_progress\` > 0 and the outbox crash is the
\`DELIVERY_FAULT_SEAMS=crash-after-publish\` seam (refused under \`NODE_ENV=production\`). Latencies are client-side, per
command; during a MariaDB outage a command waits up to the pool's acquire timeout (about 3 s)
before its 503.
`;
writeFileSync(join(repoRoot, 'docs/reliability.md'), doc);
console.log('wrote docs/reliability.md');
process.exit(reports.every((r) => failures(r).length === 0) ? 0 : 1);
