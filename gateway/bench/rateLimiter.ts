import { performance } from 'node:perf_hooks';
import { BucketTable, rateLimitField, rateLimitPolicy, RateLimiter } from '../src/rateLimiter.ts';

/**
 * Micro-benchmark of the rate limiter's hot path (not a test): CPU time per call of
 * `RateLimiter.take` (client address parsed, bucket updated under its lock) and of the
 * `RateLimit` field, for the address shapes the gateway meets.
 *
 *   node gateway/bench/rateLimiter.ts [calls per case, default 2 000 000]
 */
const calls = Number(process.argv[2] ?? 2_000_000);
const limiter = new RateLimiter(BucketTable.create());
const direct = rateLimitPolicy('orders', { rate: 1e9, burst: 1e9 }, { trustedProxies: 0, ipv6PrefixLength: 64 });
const proxied = rateLimitPolicy('orders', { rate: 1e9, burst: 1e9 }, { trustedProxies: 1, ipv6PrefixLength: 64 });

// 4096 distinct clients per case, so the table is used as under real traffic (not one hot bucket).
const ipv4 = Array.from({ length: 4096 }, (_, i) => `10.1.${i >> 8}.${i & 255}`);
const ipv6 = Array.from({ length: 4096 }, (_, i) => `2001:db8:${i.toString(16)}:1::${(i * 7).toString(16)}`);
const mapped = ipv4.map((a) => `::ffff:${a}`);
const forwarded = ipv4.map((a) => `198.51.100.7, ${a}`);

function measure(name: string, run: (i: number) => number): void {
  let sink = 0;
  for (let i = 0; i < 200_000; i++) sink += run(i & 4095); // warm-up: optimised code
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < calls; i++) sink += run(i & 4095);
  const wallNs = ((performance.now() - start) * 1e6) / calls;
  const used = process.cpuUsage(cpu);
  const cpuNs = ((used.user + used.system) * 1000) / calls;
  console.log(`${name.padEnd(46)} ${cpuNs.toFixed(0).padStart(5)} ns CPU/call  (${wallNs.toFixed(0)} ns wall)  ${sink > 0 ? '' : '!'}`);
}

console.log(`${calls} calls per case, node ${process.version}`);
measure('take: IPv4 peer', (i) => limiter.take(direct, ipv4[i], undefined));
measure('take: IPv4-mapped IPv6 peer (dual-stack socket)', (i) => limiter.take(direct, mapped[i], undefined));
measure('take: IPv6 peer (/64)', (i) => limiter.take(direct, ipv6[i], undefined));
measure('take: X-Forwarded-For, one trusted proxy', (i) => limiter.take(proxied, '10.0.0.1', forwarded[i]));
measure('take + RateLimit field (IPv4 peer)', (i) => rateLimitField(direct, limiter.take(direct, ipv4[i], undefined)).length);
