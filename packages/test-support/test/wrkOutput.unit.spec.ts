import { describe, expect, it } from '@jest/globals';
import { parseWrkOutput, percentile } from '../src/index.ts';

// What wrk 4.1 prints for `-t1 -c16 -d10s --latency` (Debian 12's package), with errors.
const OUTPUT = `Running 10s test @ http://127.0.0.1:8081/api/v1/orders
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    10.21ms    5.12ms   1.20s    90.00%
    Req/Sec     1.57k   120.00     1.80k    70.00%
  Latency Distribution
     50%    9.90ms
     75%   12.00ms
     90%   15.00ms
     99%  850.00us
  15721 requests in 10.01s, 5.06MB read
  Socket errors: connect 0, read 2, write 1, timeout 3
  Non-2xx or 3xx responses: 16
Requests/sec:   1570.33
Transfer/sec:    517.71KB
`;

describe('parseWrkOutput', () => {
  it('reads requests, rate, errors and latencies in ms whatever unit wrk chose', () => {
    const result = parseWrkOutput(OUTPUT);
    expect([result.requests, result.requestsPerSecond, result.non2xx, result.socketErrors]).toEqual([15721, 1570.33, 16, 6]);
    expect(result.latencyMs(50)).toBeCloseTo(9.9);
    expect(result.latencyMs(99)).toBeCloseTo(0.85);
    expect(result.maxMs).toBeCloseTo(1200);
  });

  it('given a clean run then the error counts are zero and a missing figure is NaN, never a guess', () => {
    const clean = parseWrkOutput('  10 requests in 1.00s, 1KB read\nRequests/sec:     10.00\n');
    expect([clean.requests, clean.non2xx, clean.socketErrors]).toEqual([10, 0, 0]);
    expect(clean.latencyMs(50)).toBeNaN();
  });
});

describe('percentile', () => {
  it('is the nearest rank of sorted values', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(values, 0.5), percentile(values, 0.99), percentile(values, 1), percentile([], 0.5)]).toEqual([50, 99, 100, Number.NaN]);
  });
});
