import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { statePath } from '@delivery/infra';

// /proc/<pid>/stat counts CPU time in clock ticks (USER_HZ, 100 on Linux).
const TICKS_PER_SECOND = 100;

/** The fields of /proc/<pid>/stat after the command name (which may contain spaces and parentheses). */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // gone
  }
}

// After the name: state(0) ppid(1) ... utime(11) stime(12).
const ticksOf = (fields: string[]) => Number(fields[11]) + Number(fields[12]);

/**
 * CPU seconds (user + system) a process has used so far; with `children`, plus those of its
 * direct children (nginx's master and worker). Undefined when the process is gone.
 */
export function cpuSeconds(pid: number, options: { children?: boolean } = {}): number | undefined {
  const own = statFields(pid);
  if (!own) return undefined;
  let ticks = ticksOf(own);
  if (options.children) {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry) || Number(entry) === pid) continue;
      const fields = statFields(entry);
      if (fields && Number(fields[1]) === pid) ticks += ticksOf(fields);
    }
  }
  return ticks / TICKS_PER_SECOND;
}

/** Starts measuring the CPU use of named processes; the function returned gives each one's use since, in % of one core. */
export function cpuMeter(pids: Record<string, number>): () => Record<string, number> {
  const started = Date.now();
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid) ?? 0]));
  return () => {
    const wall = (Date.now() - started) / 1000;
    return Object.fromEntries(
      Object.entries(pids).map(([name, pid]) => [name, Math.round((100 * ((cpuSeconds(pid) ?? 0) - (before[name] ?? 0))) / wall)]),
    );
  };
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

/**
 * The whole machine's CPU so far, all cores, in seconds (/proc/stat): `busy` is everything
 * but idle and iowait. Two readings give how saturated the machine was between them, and
 * with the processes' own figures, how much went to processes outside a benchmark.
 */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] as string;
  // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest is already in user)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map<number>(Number);
  const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  return { busy: busy / TICKS_PER_SECOND, total: (busy + (idle ?? 0) + (iowait ?? 0)) / TICKS_PER_SECOND };
}
