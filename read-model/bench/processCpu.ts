import { existsSync, readFileSync } from 'node:fs';
import { statePath } from '@delivery/infra';

/** CPU seconds used so far by a process (utime + stime from /proc), for "who is busy" tables. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100;
  } catch {
    return undefined;
  }
}

/** The pids of the local infrastructure processes, from their pid files. */
export function infrastructurePids(): Record<string, number> {
  const pids: Record<string, number> = {};
  for (const [name, file] of [
    ['mongo (stand-in)', statePath('mongo', 'mongo.pid')],
    ['kafka', statePath('kafka', 'kafka.pid')],
    ['redis', statePath('redis', 'redis.pid')],
  ] as const) {
    if (existsSync(file)) pids[name] = Number(readFileSync(file, 'utf8').trim());
  }
  return pids;
}

/** Measures CPU use of several processes over a span: returns utilisation in % of one core. */
export function cpuMeter(pids: Record<string, number>) {
  const started = Date.now();
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid) ?? 0]));
  return () => {
    const wall = (Date.now() - started) / 1000;
    return Object.fromEntries(
      Object.entries(pids).map(([name, pid]) => [name, Math.round((100 * ((cpuSeconds(pid) ?? 0) - (before[name] ?? 0))) / wall)]),
    );
  };
}
