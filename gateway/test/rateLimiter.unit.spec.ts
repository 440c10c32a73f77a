import { describe, expect, it } from '@jest/globals';
import { ClientKey, describeClientKey, parseAddress, readClientKey } from '../src/clientAddress.ts';
import { BucketTable, RateLimiter, rateLimitField, rateLimitPolicy, retryAfterSeconds, type RateLimitPolicy } from '../src/rateLimiter.ts';

const DIRECT = { trustedProxies: 0, ipv6PrefixLength: 64 };

/** A limiter on a fake clock (ms) that the test moves. */
function limiterAt(start = 1000, buckets = 1024) {
  const clock = { now: start };
  const limiter = new RateLimiter(BucketTable.create(buckets), () => clock.now);
  return { clock, limiter };
}

const policy = (rate: number, burst: number, name = 'orders', clientAddress = DIRECT): RateLimitPolicy =>
  rateLimitPolicy(name, { rate, burst }, clientAddress);

/** How many of `n` requests at the current instant are admitted. */
function admittedOf(limiter: RateLimiter, limit: RateLimitPolicy, n: number, peer = '192.0.2.1', forwardedFor?: string): number {
  let admitted = 0;
  for (let i = 0; i < n; i++) if (limiter.take(limit, peer, forwardedFor) >= 0) admitted++;
  return admitted;
}

describe('token bucket', () => {
  it('admits a burst, then refuses without taking anything, telling how long until the next token', () => {
    const { limiter } = limiterAt();
    const limit = policy(2, 3);
    expect([1, 2, 3].map(() => limiter.take(limit, '192.0.2.1', undefined))).toEqual([2, 1, 0]);
    const refused = limiter.take(limit, '192.0.2.1', undefined);
    expect(refused).toBe(-1); // one token short: 1 / rate = 0.5 s away
    expect(limiter.take(limit, '192.0.2.1', undefined)).toBe(-1); // a refusal costs nothing
    expect(retryAfterSeconds(limit, refused)).toBe(1);
  });

  it('refills lazily with time, never above the burst', () => {
    const { clock, limiter } = limiterAt();
    const limit = policy(10, 5);
    expect(admittedOf(limiter, limit, 10)).toBe(5);
    clock.now += 300; // 3 tokens
    expect(admittedOf(limiter, limit, 10)).toBe(3);
    clock.now += 99; // not quite one token
    expect(admittedOf(limiter, limit, 1)).toBe(0);
    clock.now += 1;
    expect(admittedOf(limiter, limit, 1)).toBe(1);
    clock.now += 3_600_000; // an hour idle: full, not 36 000 tokens
    expect(admittedOf(limiter, limit, 100)).toBe(5);
  });

  it('admits exactly burst + rate × time under a steady overload', () => {
    const { clock, limiter } = limiterAt();
    const limit = policy(50, 20);
    let admitted = 0;
    for (let ms = 0; ms < 10_000; ms++) {
      admitted += admittedOf(limiter, limit, 3); // 3000 requests/s offered
      clock.now += 1;
    }
    expect(admitted).toBe(20 + 499); // the burst, then a token every 20 ms: at 20, 40, …, 9980 ms
  });

  it('supports slow rates (one request per minute)', () => {
    const { clock, limiter } = limiterAt();
    const limit = policy(1 / 60, 1);
    expect(admittedOf(limiter, limit, 2)).toBe(1);
    const balance = limiter.take(limit, '192.0.2.1', undefined);
    expect(retryAfterSeconds(limit, balance)).toBe(60);
    clock.now += 59_999;
    expect(admittedOf(limiter, limit, 1)).toBe(0);
    clock.now += 1;
    expect(admittedOf(limiter, limit, 1)).toBe(1);
  });

  it('keeps routes and clients apart', () => {
    const { limiter } = limiterAt();
    const orders = policy(1, 2, 'orders');
    const dispatches = policy(1, 2, 'dispatches');
    expect(admittedOf(limiter, orders, 5, '192.0.2.1')).toBe(2);
    expect(admittedOf(limiter, dispatches, 5, '192.0.2.1')).toBe(2);
    expect(admittedOf(limiter, orders, 5, '192.0.2.2')).toBe(2);
    expect(admittedOf(limiter, orders, 5, '2001:db8:1:2::7')).toBe(2);
  });

  it('applies new limits to existing buckets (a reload): the time owed carries over', () => {
    const { clock, limiter } = limiterAt();
    expect(admittedOf(limiter, policy(1, 2), 5)).toBe(2); // 2 s owed
    expect(admittedOf(limiter, policy(1, 5), 5)).toBe(3); // a bigger bucket: 3 more at once
    clock.now += 1000;
    expect(admittedOf(limiter, policy(1, 1), 5)).toBe(0); // a smaller one: still 4 s owed > 1 s allowed
    clock.now += 4000;
    expect(admittedOf(limiter, policy(1, 1), 5)).toBe(1);
  });
});

describe('RateLimit fields (draft-ietf-httpapi-ratelimit-headers)', () => {
  it('names the route, its burst and the seconds an empty bucket takes to fill', () => {
    expect(policy(100, 200).policyField).toBe('"orders";q=200;w=2');
    expect(policy(2, 3).policyField).toBe('"orders";q=3;w=2');
    expect(policy(500, 100).policyField).toBe('"orders";q=100;w=1');
  });

  it('gives what is left and the seconds until full; on a refusal 0 and the Retry-After', () => {
    const { limiter } = limiterAt();
    const limit = policy(2, 3);
    const balances = [1, 2, 3, 4].map(() => limiter.take(limit, '192.0.2.1', undefined));
    expect(balances.map((b) => rateLimitField(limit, b))).toEqual([
      '"orders";r=2;t=1',
      '"orders";r=1;t=1',
      '"orders";r=0;t=2',
      '"orders";r=0;t=1',
    ]);
  });
});

describe('the bucket table', () => {
  it('has a fixed size: 200 000 client addresses evict idle buckets, memory stays what it was', () => {
    const { clock, limiter } = limiterAt(1000, 4096);
    const limit = policy(1, 1);
    const bytes = limiter.table.buffer.byteLength;
    for (let i = 0; i < 200_000; i++) {
      limiter.take(limit, `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`, undefined);
      if (i % 4096 === 0) clock.now += 1000; // the older ones are full again by now
    }
    expect(limiter.table.buffer.byteLength).toBe(bytes);
    expect(limiter.table.stats()).toMatchObject({ capacity: 4096, bytes });
  });

  it('evicts full buckets first, so a client that is being limited keeps its state', () => {
    const { clock, limiter } = limiterAt(1000, 8); // one set of 8 ways
    const hourly = policy(1 / 3600, 2, 'orders');
    expect(admittedOf(limiter, hourly, 5, '198.51.100.7')).toBe(2); // limited for two hours
    const perSecond = policy(1, 1, 'dispatches');
    for (let i = 0; i < 100; i++) {
      expect(admittedOf(limiter, perSecond, 1, `203.0.113.${i}`)).toBe(1); // each leaves 1 s owed...
      clock.now += 1001; // ...paid before the next client comes
    }
    expect(limiter.table.stats().evictedActive).toBe(0);
    expect(admittedOf(limiter, hourly, 1, '198.51.100.7')).toBe(0); // still limited: its bucket was kept
  });

  it('counts buckets evicted while still owing time (their client starts over)', () => {
    const { limiter } = limiterAt(1000, 8);
    const limit = policy(1, 2);
    for (let i = 0; i < 9; i++) limiter.take(limit, `203.0.113.${i}`, undefined);
    expect(limiter.table.stats().evictedActive).toBe(1);
    expect(admittedOf(limiter, limit, 5, '203.0.113.0')).toBe(2); // the fullest (first) one was evicted: fresh
  });

  it('can be attached from another thread’s buffer: the same buckets', () => {
    const { clock, limiter } = limiterAt();
    const other = new RateLimiter(BucketTable.attach(limiter.table.buffer), () => clock.now);
    const limit = policy(1, 4);
    expect(admittedOf(limiter, limit, 2)).toBe(2);
    expect(admittedOf(other, limit, 5)).toBe(2);
    expect(() => BucketTable.attach(new SharedArrayBuffer(1024))).toThrow(/not a rate-limit bucket table/);
  });
});

describe('client address', () => {
  const key = new ClientKey();
  const parsed = (text: string, prefix = 64) => (parseAddress(text, 0, text.length, prefix, key) ? describeClientKey(key, prefix) : 'invalid');

  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['192.0.2.1:4711', '192.0.2.1'],
    [' 192.0.2.1 ', '192.0.2.1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::ffff', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2::1', '2001:db8:1:2::/64'],
    ['[2001:db8:1:2::1]:443', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['1:2:3:4:5:6:7::', '1:2:3:4::/64'],
    ['01.2.3.4', 'invalid'],
    ['256.0.0.1', 'invalid'],
    ['1.2.3', 'invalid'],
    ['1::2::3', 'invalid'],
    ['1:2:3:4:5:6:7:8:9', 'invalid'],
    ['12345::1', 'invalid'],
    ['unknown', 'invalid'],
    ['', 'invalid'],
  ])('reads %j as %s', (text, expected) => {
    expect(parsed(text)).toBe(expected);
  });

  it('groups IPv6 clients by the configured prefix', () => {
    expect(parsed('2001:db8:abcd:1234::1', 48)).toBe('2001:db8:abcd:0::/48');
    expect(parsed('2001:db8:abcd:12ff::1', 56)).toBe('2001:db8:abcd:1200::/56');
    expect(parsed('2001:db8:abcd:1234::1', 32)).toBe('2001:db8:0:0::/32');
  });

  it.each([
    [0, '198.51.100.1, 203.0.113.9', '10.0.0.1'], // not trusted: the peer, whatever the header says
    [1, '198.51.100.1, 203.0.113.9', '203.0.113.9'], // one proxy: the address it saw
    [2, '198.51.100.1, 203.0.113.9', '198.51.100.1'],
    [3, '198.51.100.1, 203.0.113.9', '198.51.100.1'], // fewer entries than proxies: the leftmost
    [2, 'garbage, 203.0.113.9', '203.0.113.9'], // not an address: the next entry towards the peer
    [1, 'garbage', '10.0.0.1'],
    [1, '', '10.0.0.1'],
    [1, undefined, '10.0.0.1'],
  ])('trustedProxies %i, X-Forwarded-For %j → %s', (trustedProxies, forwardedFor, expected) => {
    const settings = { trustedProxies, ipv6PrefixLength: 64 };
    expect(describeClientKey(readClientKey('10.0.0.1', forwardedFor, settings, key), 64)).toBe(expected);
  });

  it('counts a spoofed X-Forwarded-For against the peer when no proxy is trusted', () => {
    const { limiter } = limiterAt();
    const limit = policy(1, 2);
    let admitted = 0;
    for (let i = 0; i < 10; i++) if (limiter.take(limit, '192.0.2.1', `198.51.100.${i}`) >= 0) admitted++;
    expect(admitted).toBe(2);
  });

  it('counts a request whose peer is gone against one "unknown" client', () => {
    expect(describeClientKey(readClientKey(undefined, undefined, DIRECT, key), 64)).toBe('unknown');
  });
});
