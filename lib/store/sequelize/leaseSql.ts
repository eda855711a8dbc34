/**
 * The store's clock in SQL: the database's now and a lease's end, as each dialect writes them.
 * Leases are computed and compared by the database, never from an engine's clock, so engines
 * whose clocks disagree (by an hour, say) still agree on whose lease has ended.
 *
 * - MySQL/MariaDB: `UTC_TIMESTAMP(3)` (DATETIME(3) columns hold UTC, whatever the session's zone).
 * - PostgreSQL: `clock_timestamp()` (the columns are TIMESTAMP WITH TIME ZONE).
 * - SQLite: this host's clock, as the text Sequelize writes for DATE(3) columns
 *   ('2026-11-27 17:23:32.298 +00:00'), so that text comparison orders it with stored dates.
 *
 * Lease lengths are validated integers (ms) written into the SQL, not parameters, so that the
 * expressions can sit anywhere in a statement whatever its parameters.
 */
import type { SqlDialect } from './parseStorageUrl.js';

/** The database's now. */
export function sqlNow(dialect: SqlDialect): string {
  if (dialect === 'mysql') return 'UTC_TIMESTAMP(3)';
  if (dialect === 'postgres') return 'clock_timestamp()';
  return "(strftime('%Y-%m-%d %H:%M:%f', 'now') || ' +00:00')";
}

/** The database's now + `leaseMs`. */
export function sqlLeaseEnd(dialect: SqlDialect, leaseMs: number): string {
  const ms = Math.max(0, Math.round(leaseMs));
  if (!Number.isSafeInteger(ms)) throw new RangeError(`A lease of ${leaseMs} ms cannot be written`);
  if (dialect === 'mysql') return `(UTC_TIMESTAMP(3) + INTERVAL ${ms * 1000} MICROSECOND)`;
  if (dialect === 'postgres') return `(clock_timestamp() + INTERVAL '${ms} milliseconds')`;
  return `(strftime('%Y-%m-%d %H:%M:%f', 'now', '+${(ms / 1000).toFixed(3)} seconds') || ' +00:00')`;
}

/** True for an execution nobody holds: no owner, no lease, or a lease that ended before the database's now. */
export function sqlLeaseFree(dialect: SqlDialect): string {
  return `(owner_id IS NULL OR lease_until IS NULL OR lease_until < ${sqlNow(dialect)})`;
}
