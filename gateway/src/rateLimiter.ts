import { performance } from 'node:perf_hooks';
import { ClientKey, readClientKey, type ClientAddressSettings } from './clientAddress.ts';

/**
 * Rate limits per (route, client address): token buckets in one fixed-size table that lives
 * in a SharedArrayBuffer, so that every worker thread of the gateway draws from the same
 * budget (docs/decisions/gateway-rate-limits.md).
 *
 * Each bucket is one number, its theoretical arrival time (GCRA, the token bucket written
 * as a time): with T = 1/rate and a tolerance of burst × T, a request is admitted when
 * max(tat, now) + T − now ≤ burst × T, and then moves tat there. The bucket is full exactly
 * when tat ≤ now, so refilling is lazy (no timer), and a full bucket can be dropped without
 * losing anything. The table is set-associative: a key hashes (with a random seed) to a set
 * of 8 ways, locked as a whole by one Int32 spin lock (Atomics) while it is read and updated.
 * A new key takes an empty way, else the way whose bucket is fullest (smallest tat: a full
 * one loses nothing; otherwise the bucket closest to full is evicted and counted).
 *
 * Hot path: `RateLimiter.take` — no allocation, no timer, one lock, ≤ 8 key compares.
 */

const WAYS = 8;
/** Int32 words per way: route key, address hi, address lo, family (0: empty). */
const KEY_INTS = 4;
/** Int32 words per set: its lock, then the ways' keys. */
const SET_INTS = 1 + WAYS * KEY_INTS;
const HEADER_INTS = 16;
const MAGIC = 0x524c5431; // "RLT1"
// Header words.
const H_MAGIC = 0;
const H_SETS = 1;
const H_WAYS = 2;
const H_SEED = 3;
const H_EVICTED = 4;
const H_STOLEN = 5;

/** Default size: 65 536 buckets, 2.1 MB. */
export const DEFAULT_BUCKETS = 65_536;
/** A lock held longer than this is presumed abandoned (a worker terminated inside it) and taken over. */
const STEAL_AFTER_MS = 50;
/** Float tolerance (ms in the admission test; tokens and seconds in the fields): T is rarely an exact binary fraction. */
const EPSILON = 1e-6;

const pause: () => void = (Atomics as unknown as { pause?: () => void }).pause?.bind(Atomics) ?? (() => undefined);

/** Milliseconds on a monotonic clock shared by the threads that share a table. */
export type Clock = () => number;

/**
 * performance.now(): monotonic, and in node worker threads share their process's time
 * origin, so every thread reads the same timeline.
 */
export const monotonicClock: Clock = () => performance.now();

export interface BucketTableStats {
  /** Buckets the table can hold. */
  capacity: number;
  /** Bytes of the shared buffer. */
  bytes: number;
  /** Buckets evicted while not full (their client got a fresh, full bucket). */
  evictedActive: number;
  /** Locks taken over after STEAL_AFTER_MS (a thread died holding one). */
  stolenLocks: number;
}

/**
 * The shared table. `create` in the process (or the primary thread), `attach` in every
 * worker thread to `table.buffer` passed through `workerData`.
 */
export class BucketTable {
  readonly buffer: SharedArrayBuffer;
  private readonly ints: Int32Array;
  private readonly tats: Float64Array;
  private readonly setMask: number;
  private readonly seed: number;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    const header = new Int32Array(buffer, 0, HEADER_INTS);
    if (header[H_MAGIC] !== MAGIC || header[H_WAYS] !== WAYS) throw new Error('not a rate-limit bucket table');
    const sets = header[H_SETS] ?? 0;
    const intBytes = layout(sets).intBytes;
    this.ints = new Int32Array(buffer, 0, intBytes / 4);
    this.tats = new Float64Array(buffer, intBytes, sets * WAYS);
    this.setMask = sets - 1;
    this.seed = header[H_SEED] ?? 0;
  }

  /** A new table of `buckets` (rounded up to a power of two, at least 8). */
  static create(buckets = DEFAULT_BUCKETS): BucketTable {
    const sets = Math.max(1, 2 ** Math.ceil(Math.log2(Math.max(WAYS, buckets) / WAYS)));
    const buffer = new SharedArrayBuffer(layout(sets).bytes);
    const header = new Int32Array(buffer, 0, HEADER_INTS);
    header[H_SETS] = sets;
    header[H_WAYS] = WAYS;
    header[H_SEED] = crypto.getRandomValues(new Int32Array(1))[0] ?? 0;
    Atomics.store(header, H_MAGIC, MAGIC);
    return new BucketTable(buffer);
  }

  /** The same table, seen from another thread. */
  static attach(buffer: SharedArrayBuffer): BucketTable {
    return new BucketTable(buffer);
  }

  /**
   * Takes one token from the bucket of (route, family, hi, lo), refilled to `now` at `rate`
   * one token per `intervalMs` (1000 / rate) up to `toleranceMs` (burst × intervalMs).
   * Returns the bucket's balance after the attempt, in tokens: ≥ 0 admitted (what is
   * left); < 0 refused, nothing taken (−balance × intervalMs ms until a token is there).
   */
  take(route: number, family: number, hi: number, lo: number, intervalMs: number, toleranceMs: number, now: number): number {
    const ints = this.ints;
    const set = hash(route, family, hi, lo, this.seed) & this.setMask;
    const lock = HEADER_INTS + set * SET_INTS;
    if (Atomics.compareExchange(ints, lock, 0, 1) !== 0) this.acquireSlowly(lock);
    const firstWay = set * WAYS;
    let way = -1;
    let victim = -1;
    let victimTat = Infinity;
    for (let w = 0, k = lock + 1; w < WAYS; w++, k += KEY_INTS) {
      const wayFamily = ints[k + 3];
      if (wayFamily === family && ints[k] === route && ints[k + 1] === hi && ints[k + 2] === lo) {
        way = w;
        break;
      }
      if (wayFamily === 0) {
        if (victimTat !== -Infinity) {
          victim = w;
          victimTat = -Infinity;
        }
      } else {
        const tat = this.tats[firstWay + w] ?? 0;
        if (tat < victimTat) {
          victim = w;
          victimTat = tat;
        }
      }
    }
    let tat: number;
    if (way >= 0) {
      tat = this.tats[firstWay + way] ?? now;
    } else {
      way = victim;
      if (victimTat > now) Atomics.add(ints, H_EVICTED, 1);
      const k = lock + 1 + way * KEY_INTS;
      ints[k] = route;
      ints[k + 1] = hi;
      ints[k + 2] = lo;
      ints[k + 3] = family;
      tat = now;
      this.tats[firstWay + way] = now;
    }
    const next = (tat > now ? tat : now) + intervalMs;
    const debt = next - now;
    const admit = debt <= toleranceMs + EPSILON;
    if (admit) this.tats[firstWay + way] = next;
    Atomics.store(ints, lock, 0);
    const balance = (toleranceMs - debt) / intervalMs;
    return admit ? (balance > 0 ? balance : 0) : balance < 0 ? balance : -Number.MIN_VALUE;
  }

  /** Resets every bucket (tests). */
  clear(): void {
    for (let set = 0; set <= this.setMask; set++) {
      const lock = HEADER_INTS + set * SET_INTS;
      this.acquireSlowly(lock);
      for (let w = 0; w < WAYS; w++) this.ints[lock + 1 + w * KEY_INTS + 3] = 0;
      Atomics.store(this.ints, lock, 0);
    }
  }

  stats(): BucketTableStats {
    return {
      capacity: (this.setMask + 1) * WAYS,
      bytes: this.buffer.byteLength,
      evictedActive: Atomics.load(this.ints, H_EVICTED),
      stolenLocks: Atomics.load(this.ints, H_STOLEN),
    };
  }

  /** Contended (or abandoned) lock: spin, then sleep briefly, then take it over. */
  private acquireSlowly(lock: number): void {
    const ints = this.ints;
    let since = -1;
    for (let spins = 1; ; spins++) {
      if (Atomics.load(ints, lock) === 0 && Atomics.compareExchange(ints, lock, 0, 1) === 0) return;
      if (spins < 256) {
        pause();
        continue;
      }
      const now = performance.now();
      if (since < 0) since = now;
      else if (now - since > STEAL_AFTER_MS) {
        Atomics.add(ints, H_STOLEN, 1);
        Atomics.store(ints, lock, 1);
        return;
      }
      Atomics.wait(ints, lock, 1, 0.05);
    }
  }
}

function layout(sets: number): { intBytes: number; bytes: number } {
  const intBytes = Math.ceil(((HEADER_INTS + sets * SET_INTS) * 4) / 8) * 8;
  return { intBytes, bytes: intBytes + sets * WAYS * 8 };
}

/** murmur3's 32-bit finaliser over the four key words, seeded per table. */
function hash(route: number, family: number, hi: number, lo: number, seed: number): number {
  let h = seed ^ route;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) ^ hi;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) ^ lo;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) ^ family;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** A route's limit, resolved once per route-file generation. */
export interface RateLimitPolicy {
  /** The route name: the policy's name in the RateLimit headers and the `route` label. */
  readonly name: string;
  /** Tokens per second. */
  readonly rate: number;
  /** Bucket size: requests admitted at once. */
  readonly burst: number;
  /** 32-bit key of the route in the table (from its name: stable across reloads and workers). */
  readonly key: number;
  readonly intervalMs: number;
  readonly toleranceMs: number;
  readonly clientAddress: ClientAddressSettings;
  /** The `RateLimit-Policy` field value: `"<route>";q=<burst>;w=<seconds to refill from empty>`. */
  readonly policyField: string;
}

export function rateLimitPolicy(
  name: string,
  limit: { rate: number; burst: number },
  clientAddress: ClientAddressSettings,
): RateLimitPolicy {
  const intervalMs = 1000 / limit.rate;
  return Object.freeze({
    name,
    rate: limit.rate,
    burst: limit.burst,
    key: fnv1a(name),
    intervalMs,
    toleranceMs: limit.burst * intervalMs,
    clientAddress,
    policyField: `"${name}";q=${limit.burst};w=${Math.max(1, Math.ceil(limit.burst / limit.rate))}`,
  });
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** The gateway's limiter: client address → bucket of (route, client) → balance. */
export class RateLimiter {
  readonly table: BucketTable;
  private readonly clock: Clock;
  private readonly client = new ClientKey();

  constructor(table: BucketTable = BucketTable.create(), clock: Clock = monotonicClock) {
    this.table = table;
    this.clock = clock;
  }

  /**
   * One request on a limited route: its balance after taking a token (see
   * `BucketTable.take`); < 0 means refuse it. `peer` is the socket's remote address,
   * `forwardedFor` the request's `X-Forwarded-For` (used only with trusted proxies).
   */
  take(policy: RateLimitPolicy, peer: string | undefined, forwardedFor: string | string[] | undefined): number {
    const client = readClientKey(peer, forwardedFor, policy.clientAddress, this.client);
    return this.table.take(policy.key, client.family, client.hi, client.lo, policy.intervalMs, policy.toleranceMs, this.clock());
  }
}

/** Whole seconds until a refused request would be admitted (≥ 1): the `Retry-After`. */
export function retryAfterSeconds(policy: RateLimitPolicy, balance: number): number {
  return Math.max(1, Math.ceil((-balance * policy.intervalMs) / 1000 - EPSILON));
}

/**
 * The `RateLimit` field value (draft-ietf-httpapi-ratelimit-headers-10/11):
 * `"<route>";r=<tokens left>;t=<seconds>`. Admitted: r = whole tokens left, t = seconds
 * until the bucket is full again. Refused: r = 0, t = `Retry-After` (the draft wants
 * Retry-After no earlier than the end of t).
 */
export function rateLimitField(policy: RateLimitPolicy, balance: number): string {
  if (balance < 0) return `"${policy.name}";r=0;t=${retryAfterSeconds(policy, balance)}`;
  const left = Math.floor(balance + EPSILON);
  const refill = Math.ceil(((policy.burst - balance) * policy.intervalMs) / 1000 - EPSILON);
  return `"${policy.name}";r=${left};t=${refill < 0 ? 0 : refill}`;
}
