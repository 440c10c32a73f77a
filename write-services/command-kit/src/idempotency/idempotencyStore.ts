import { createHash, randomUUID } from 'node:crypto';
import type { SqlExecutor } from '../db/sqlExecutor.ts';

/**
 * `Idempotency-Key` records (architecture.md): scoped to method + path in the service's
 * own schema, kept 24 h from the first request. A claim is committed before the command
 * runs (so a concurrent repeat sees it in flight); the command's transaction turns it into
 * the stored answer, so "answer recorded" and "command committed" are one fact. A claim
 * that outlives `inFlightLockMs` (its process died) may be taken over: the command never
 * committed, so running it again is safe. A claim whose request ended without an answer
 * while the database was away (so it could not be released) is abandoned, not in flight:
 * this instance releases it as soon as the database is back, and a retry reaching this
 * instance before that takes it over at once, instead of waiting out the lock.
 */
export interface StoredAnswer {
  status: number;
  body: string;
}

export type ClaimOutcome =
  | { outcome: 'execute'; claim: IdempotencyClaim }
  | { outcome: 'replay'; answer: StoredAnswer }
  | { outcome: 'mismatch' }
  | { outcome: 'in-flight' };

export interface IdempotencyClaim {
  keyHash: string;
  token: string;
}

export class IdempotencyClaimLost extends Error {
  constructor() {
    super('the Idempotency-Key claim was taken over by another request');
    this.name = 'IdempotencyClaimLost';
  }
}

export interface IdempotencySettings {
  ttlMs: number;
  inFlightLockMs: number;
}

export const DEFAULT_IDEMPOTENCY: IdempotencySettings = Object.freeze({
  ttlMs: 24 * 60 * 60 * 1000,
  inFlightLockMs: 30_000,
});

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

interface RecordRow {
  request_hash: string;
  state: 'IN_FLIGHT' | 'COMPLETED';
  owner_token: string;
  lock_expired: number | bigint;
  expired: number | bigint;
  response_status: number | null;
  response_body: string | null;
}

export class IdempotencyStore {
  private readonly db: SqlExecutor;
  private readonly settings: IdempotencySettings;
  /** Claims whose request ended unanswered and whose release failed: token → key hash. */
  readonly #abandoned = new Map<string, string>();
  #releaseRetry: NodeJS.Timeout | undefined;

  constructor(db: SqlExecutor, settings: IdempotencySettings = DEFAULT_IDEMPOTENCY) {
    this.db = db;
    this.settings = settings;
  }

  async claim(scope: string, key: string, requestHash: string): Promise<ClaimOutcome> {
    const keyHash = sha256(`${scope}\n${key}`);
    for (let attempt = 0; attempt < 3; attempt++) {
      const token = randomUUID();
      const inserted = await this.#insertClaim(token, () => this.db.$executeRawUnsafe(
        `INSERT IGNORE INTO idempotency_record
           (key_hash, scope, idempotency_key, request_hash, state, owner_token, locked_until, created_at, expires_at)
         VALUES (?, ?, ?, ?, 'IN_FLIGHT', ?, UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND, UTC_TIMESTAMP(3),
                 UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND)`,
        keyHash,
        scope,
        key,
        requestHash,
        token,
        this.settings.inFlightLockMs * 1000,
        this.settings.ttlMs * 1000,
      ), keyHash);
      if (inserted === 1) return { outcome: 'execute', claim: { keyHash, token } };

      const [row] = await this.db.$queryRawUnsafe<RecordRow[]>(
        `SELECT request_hash, state, owner_token, locked_until < UTC_TIMESTAMP(3) AS lock_expired,
                expires_at < UTC_TIMESTAMP(3) AS expired, response_status, response_body
           FROM idempotency_record WHERE key_hash = ?`,
        keyHash,
      );
      if (!row) continue;
      if (Number(row.expired) === 1) {
        await this.db.$executeRawUnsafe(
          'DELETE FROM idempotency_record WHERE key_hash = ? AND expires_at < UTC_TIMESTAMP(3)',
          keyHash,
        );
        continue;
      }
      if (row.request_hash !== requestHash) return { outcome: 'mismatch' };
      if (row.state === 'COMPLETED' && row.response_status !== null && row.response_body !== null) {
        return { outcome: 'replay', answer: { status: row.response_status, body: row.response_body } };
      }
      if (Number(row.lock_expired) !== 1 && !this.#abandoned.has(row.owner_token)) return { outcome: 'in-flight' };
      const takenOver = await this.db.$executeRawUnsafe(
        `UPDATE idempotency_record SET owner_token = ?, locked_until = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND
          WHERE key_hash = ? AND owner_token = ? AND state = 'IN_FLIGHT'`,
        token,
        this.settings.inFlightLockMs * 1000,
        keyHash,
        row.owner_token,
      );
      if (takenOver === 1) {
        this.#abandoned.delete(row.owner_token);
        return { outcome: 'execute', claim: { keyHash, token } };
      }
    }
    return { outcome: 'in-flight' };
  }

  /** Records the answer; inside the command's transaction when there is one. */
  async complete(claim: IdempotencyClaim, answer: StoredAnswer, executor: SqlExecutor = this.db): Promise<void> {
    const updated = await executor.$executeRawUnsafe(
      `UPDATE idempotency_record SET state = 'COMPLETED', response_status = ?, response_body = ?
        WHERE key_hash = ? AND owner_token = ? AND state = 'IN_FLIGHT'`,
      answer.status,
      answer.body,
      claim.keyHash,
      claim.token,
    );
    if (updated !== 1) throw new IdempotencyClaimLost();
  }

  /**
   * Forgets a claim whose command did not run to a definite answer (conflict, outage): a retry
   * runs it. If the database cannot be reached now, the claim is abandoned (see above) and
   * released in the background; the error is rethrown for the caller to log.
   */
  async release(claim: IdempotencyClaim): Promise<void> {
    try {
      await this.#delete(claim.token, claim.keyHash);
    } catch (error) {
      this.#abandoned.set(claim.token, claim.keyHash);
      this.#scheduleReleases(500);
      throw error;
    }
  }

  /** Claims abandoned and not yet released (tests, metrics). */
  abandonedClaims(): number {
    return this.#abandoned.size;
  }

  close(): void {
    clearTimeout(this.#releaseRetry);
    this.#releaseRetry = undefined;
  }

  /**
   * The claim's INSERT. When it fails, it may still have committed (the connection died after
   * the commit, as in a database restart): the claim is then abandoned like a failed release,
   * so that it neither blocks a retry nor outlives the outage.
   */
  async #insertClaim(token: string, insert: () => PromiseLike<number>, keyHash: string): Promise<number> {
    try {
      return await insert();
    } catch (error) {
      this.#abandoned.set(token, keyHash);
      this.#scheduleReleases(500);
      throw error;
    }
  }

  async #delete(token: string, keyHash: string): Promise<void> {
    await this.db.$executeRawUnsafe(
      `DELETE FROM idempotency_record WHERE key_hash = ? AND owner_token = ? AND state = 'IN_FLIGHT'`,
      keyHash,
      token,
    );
  }

  /** Retries the abandoned releases with backoff until the database answers (or the locks expire anyway). */
  #scheduleReleases(delayMs: number): void {
    if (this.#releaseRetry) return;
    this.#releaseRetry = setTimeout(() => {
      this.#releaseRetry = undefined;
      void (async () => {
        for (const [token, keyHash] of [...this.#abandoned]) {
          try {
            await this.#delete(token, keyHash);
            this.#abandoned.delete(token);
          } catch {
            this.#scheduleReleases(Math.min(delayMs * 2, 5000));
            return;
          }
        }
      })();
    }, delayMs);
    this.#releaseRetry.unref();
  }

  async purgeExpired(limit = 5000): Promise<number> {
    return this.db.$executeRawUnsafe(
      'DELETE FROM idempotency_record WHERE expires_at < UTC_TIMESTAMP(3) LIMIT ?',
      limit,
    );
  }
}
