/** What a `wrk --latency` run printed, as numbers: the benchmarks' one reading of its output. */
export interface WrkOutput {
  /** Completed requests (those in flight when wrk stopped are not counted). */
  requests: number;
  requestsPerSecond: number;
  /** Non-2xx/3xx answers. */
  non2xx: number;
  /** Connect, read, write and timeout errors. */
  socketErrors: number;
  /** Latency percentile from the `--latency` distribution (50, 75, 90, 99), in ms; NaN when not printed. */
  latencyMs(percent: 50 | 75 | 90 | 99): number;
  /** The slowest request, in ms. */
  maxMs: number;
}

const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000 } as const;

function millis(match: RegExpExecArray | null): number {
  if (!match) return Number.NaN;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

export function parseWrkOutput(output: string): WrkOutput {
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requests: Number(/(\d+) requests in/.exec(output)?.[1] ?? 0),
    requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? 0),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
    socketErrors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    latencyMs: (percent) => millis(new RegExp(`^\\s+${percent}%\\s+([\\d.]+)(us|ms|s|m)\\b`, 'm').exec(output)),
    maxMs: millis(/Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)\b/.exec(output)),
  };
}
