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

  constructor(db: SqlExecutor, holder: string, leaseMs: number, name = 'outbox-relay') {
    this.db = db;
    this.holder = holder;
    this.leaseMs = leaseMs;
    this.name = name;
  }

  /** Takes or renews the lease; true when this instance holds it for the next `leaseMs`. */
  async acquire(): Promise<boolean> {
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
    return row?.holder === this.holder;
  }

  /** Lets a standby take over at once. */
  async release(): Promise<void> {
    await this.db.$executeRawUnsafe('DELETE FROM outbox_lease WHERE name = ? AND holder = ?', this.name, this.holder);
  }
}
