import type { SqlExecutor } from '../db/sqlExecutor.ts';

/**
 * One row of `outbox_lease` names the relay that may publish. Whoever holds it renews it
 * every cycle; the others stand by and take it over once it expires (a crashed holder) or
 * is released (a graceful stop). Expiry uses the database clock, so instances' clocks
 * don't matter. See docs/decisions/outbox-relay-lease.md.
 */
export class RelayLease {
  private readonly db: SqlExecutor;
  private readonly name: string;
  readonly holder: string;
  private readonly leaseMs: number;
  /** Local monotonic time of the last successful renewal (no round trip while it is fresh). */
  private renewedAt: number | undefined;

  constructor(db: SqlExecutor, holder: string, leaseMs: number, name = 'outbox-relay') {
    this.db = db;
    this.holder = holder;
    this.leaseMs = leaseMs;
    this.name = name;
  }

  /**
   * Takes or renews the lease; true when this instance holds it. A holder renews at most
   * every third of `leaseMs` (a busy relay would otherwise pay two round trips per batch),
   * which leaves two thirds of the lease as margin against expiry.
   */
  async acquire(): Promise<boolean> {
    if (this.renewedAt !== undefined && performance.now() - this.renewedAt < this.leaseMs / 3) return true;
    const started = performance.now();
    // Assignments apply left to right: `expires_at` sees the `holder` just written.
    await this.db.$executeRawUnsafe(
      `INSERT INTO outbox_lease (name, holder, expires_at)
         VALUES (?, ?, UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND)
       ON DUPLICATE KEY UPDATE
         holder = IF(holder = VALUES(holder) OR expires_at < UTC_TIMESTAMP(3), VALUES(holder), holder),
         expires_at = IF(holder = VALUES(holder), VALUES(expires_at), expires_at)`,
      this.name,
      this.holder,
      this.leaseMs * 1000,
    );
    const [row] = await this.db.$queryRawUnsafe<{ holder: string }[]>(
      'SELECT holder FROM outbox_lease WHERE name = ?',
      this.name,
    );
    const held = row?.holder === this.holder;
    this.renewedAt = held ? started : undefined;
    return held;
  }

  /** Lets a standby take over at once. */
  async release(): Promise<void> {
    this.renewedAt = undefined;
    await this.db.$executeRawUnsafe('DELETE FROM outbox_lease WHERE name = ? AND holder = ?', this.name, this.holder);
  }
}
