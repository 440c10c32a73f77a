import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { statePath } from '@delivery/infra';
import { parseWrkOutput } from '@delivery/test-support';

export interface LatencyReport {
  tool: string;
  requests: number;
  seconds: number;
  throughput: number;
  success: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const VEGETA_MODULE = 'github.com/tsenart/vegeta/v12@v12.13.0';

/**
 * vegeta: a constant-rate (open-loop) HTTP load generator, so a slow answer does not lower
 * the offered rate (the coordinated omission wrk has). Installed from the Go module proxy
 * into the state folder when missing.
 */
export function vegetaBinary(): string | undefined {
  const local = statePath('bin', 'vegeta');
  if (existsSync(local)) return local;
  if (spawnSync('sh', ['-c', 'command -v vegeta']).status === 0) return 'vegeta';
  if (spawnSync('sh', ['-c', 'command -v go']).status !== 0) return undefined;
  mkdirSync(statePath('bin'), { recursive: true });
  const result = spawnSync('go', ['install', VEGETA_MODULE], { env: { ...process.env, GOBIN: statePath('bin') }, stdio: 'inherit' });
  return result.status === 0 && existsSync(local) ? local : undefined;
}

export async function vegetaAttack(binary: string, urls: string[], ratePerSecond: number, seconds: number): Promise<LatencyReport> {
  const targets = join(statePath('bench'), 'vegeta-targets.txt');
  mkdirSync(statePath('bench'), { recursive: true });
  writeFileSync(targets, urls.map((url) => `GET ${url}`).join('\n\n') + '\n');
  const attack = spawn(binary, ['attack', `-rate=${ratePerSecond}/s`, `-duration=${seconds}s`, `-targets=${targets}`, '-keepalive=true', '-workers=16'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const report = spawn(binary, ['report', '-type=json'], { stdio: ['pipe', 'pipe', 'inherit'] });
  attack.stdout.pipe(report.stdin);
  let json = '';
  report.stdout.on('data', (chunk: Buffer) => (json += chunk.toString()));
  await new Promise((resolve) => report.once('exit', resolve));
  const r = JSON.parse(json) as {
    requests: number;
    throughput: number;
    success: number;
    duration: number;
    latencies: Record<string, number>;
  };
  const ms = (ns: number | undefined) => Math.round(((ns ?? 0) / 1e6) * 100) / 100;
  return {
    tool: `vegeta ${ratePerSecond}/s`,
    requests: r.requests,
    seconds: r.duration / 1e9,
    throughput: Math.round(r.throughput),
    success: r.success,
    p50Ms: ms(r.latencies['50th']),
    p99Ms: ms(r.latencies['99th']),
    maxMs: ms(r.latencies['max']),
  };
}

/** wrk (closed loop, fixed connections): the maximum throughput and its latency. */
export function wrkMax(baseUrl: string, paths: string[], connections: number, seconds: number): LatencyReport | undefined {
  if (spawnSync('sh', ['-c', 'command -v wrk']).status !== 0) return undefined;
  const script = join(statePath('bench'), 'wrk-rotate.lua');
  mkdirSync(statePath('bench'), { recursive: true });
  writeFileSync(
    script,
    `local paths = {${paths.map((p) => `"${p}"`).join(',')}}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format("GET", paths[i])\nend\n`,
  );
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, baseUrl], { encoding: 'utf8' });
  const result = parseWrkOutput(out);
  const round = (n: number) => Math.round(n * 100) / 100;
  const requests = result.requests;
  return {
    tool: `wrk -t1 -c${connections}`,
    requests,
    seconds,
    throughput: Math.round(result.requestsPerSecond),
    success: requests > 0 ? (requests - result.non2xx) / requests : 0,
    p50Ms: round(result.latencyMs(50)),
    p99Ms: round(result.latencyMs(99)),
    maxMs: round(result.maxMs),
  };
}
