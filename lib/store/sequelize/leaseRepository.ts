/**
 * Ownership of executions on the SQL stores: claims (one, or a batch of expired ones), heartbeats
 * and release. Every time is the database's (leaseSql.ts). A claim increments the execution's
 * fencing token, which the owner's commits are then checked against (checkOwnership,
 * mysqlCommit.ts, sqliteCommit.ts).
 *
 * The claims run in the caller's transaction: the rows are read `FOR UPDATE` (MySQL/MariaDB,
 * PostgreSQL; SQLite's BEGIN IMMEDIATE already holds the one write lock), so a claim waits for a
 * group commit of the previous owner under way and is serialised with other claims. The batch
 * claim adds `SKIP LOCKED`: engines recovering at once each take different executions, none
 * waiting for the rows another is taking.
 */
import type { Sequelize, Transaction } from 'sequelize';
import type { ClaimedExecution, ClaimExpiredOptions } from '../records.js';
import { sqlLeaseEnd, sqlLeaseFree, sqlNow } from './leaseSql.js';
import type { SqlDialect } from './parseStorageUrl.js';
import { execute, selectRows } from './rawStatements.js';

const UNFINISHED = "status IN ('pending','running')";

/** Takes one execution (see `Store.claimExecution`); returns the new fencing token, or null. */
export async function claimOne(
  sequelize: Sequelize,
  transaction: Transaction | undefined,
  id: string,
  ownerId: string,
  leaseMs: number,
  force: boolean,
): Promise<number | null> {
  const dialect = sequelize.getDialect() as SqlDialect;
  const [row] = await selectRows(
    sequelize,
    transaction,
    `SELECT owner_id, fencing_token, CASE WHEN ${sqlLeaseFree(dialect)} THEN 1 ELSE 0 END AS free FROM tg_executions WHERE id=? AND ${UNFINISHED}${lockClause(dialect, false)}`,
    [id],
  );
  if (!row) return null;
  const free = Number(row['free']) === 1 || row['owner_id'] === ownerId;
  if (!free && !force) return null;
  const token = Number(row['fencing_token']) + 1;
  await execute(sequelize, transaction, `${claimUpdate(dialect, leaseMs)} WHERE id=?`, [ownerId, token, id]);
  return token;
}

/** Takes up to `limit` executions nobody holds (see `Store.claimExpired`). */
export async function claimExpiredBatch(
  sequelize: Sequelize,
  transaction: Transaction | undefined,
  ownerId: string,
  options: ClaimExpiredOptions,
): Promise<ClaimedExecution[]> {
  if (options.workflowIds.length === 0 || options.limit <= 0) return [];
  const dialect = sequelize.getDialect() as SqlDialect;
  const rows = await selectRows(
    sequelize,
    transaction,
    `SELECT id, fencing_token FROM tg_executions WHERE ${UNFINISHED} AND ${sqlLeaseFree(dialect)} AND workflow_id IN (${options.workflowIds.map(() => '?').join(',')})` +
      ` ORDER BY created_at, id LIMIT ${Math.floor(options.limit)}${lockClause(dialect, true)}`,
    [...options.workflowIds],
  );
  const claimed = rows.map((row) => ({ id: String(row['id']), fencingToken: Number(row['fencing_token']) + 1 }));
  if (claimed.length === 0) return [];
  const ids = claimed.map((claim) => claim.id);
  await execute(
    sequelize,
    transaction,
    `UPDATE tg_executions SET owner_id=?, fencing_token=fencing_token+1, lease_until=${sqlLeaseEnd(dialect, options.leaseMs)}, heartbeat_at=${sqlNow(dialect)} WHERE id IN (${ids.map(() => '?').join(',')})`,
    [ownerId, ...ids],
  );
  return claimed;
}

/** Extends the lease of every unfinished execution `ownerId` holds. */
export async function extendLeases(sequelize: Sequelize, transaction: Transaction | undefined, ownerId: string, leaseMs: number): Promise<void> {
  const dialect = sequelize.getDialect() as SqlDialect;
  await execute(
    sequelize,
    transaction,
    `UPDATE tg_executions SET lease_until=${sqlLeaseEnd(dialect, leaseMs)}, heartbeat_at=${sqlNow(dialect)} WHERE owner_id=? AND ${UNFINISHED}`,
    [ownerId],
  );
}

/** Lets go of every execution `ownerId` holds, or of those of `executionIds` it holds. */
export async function releaseLeases(sequelize: Sequelize, transaction: Transaction | undefined, ownerId: string, executionIds?: readonly string[]): Promise<void> {
  if (executionIds?.length === 0) return;
  const only = executionIds ? ` AND id IN (${executionIds.map(() => '?').join(',')})` : '';
  await execute(sequelize, transaction, `UPDATE tg_executions SET owner_id=NULL, lease_until=NULL WHERE owner_id=?${only}`, [ownerId, ...(executionIds ?? [])]);
}

/** The database's now. */
export async function databaseNow(sequelize: Sequelize, transaction: Transaction | undefined): Promise<Date> {
  const dialect = sequelize.getDialect() as SqlDialect;
  const [row] = await selectRows(sequelize, transaction, `SELECT ${sqlNow(dialect)} AS now`);
  const value = row?.['now'];
  if (value instanceof Date) return value;
  const text = String(value);
  // MySQL's UTC text carries no zone; SQLite's ends with ' +00:00'.
  return new Date(dialect === 'mysql' ? `${text.replace(' ', 'T')}Z` : text.replace(' ', 'T').replace(' +00:00', 'Z'));
}

/** The lease given to the executions a commit creates: one UPDATE (their rows were just inserted with none). */
export function createdLeaseStatement(ids: readonly string[], ownerId: string, leaseMs: number, dialect: SqlDialect): { sql: string; params: unknown[] } {
  return {
    sql: `UPDATE tg_executions SET lease_until=${sqlLeaseEnd(dialect, leaseMs)}, heartbeat_at=${sqlNow(dialect)} WHERE owner_id=? AND id IN (${ids.map(() => '?').join(',')})`,
    params: [ownerId, ...ids],
  };
}

function claimUpdate(dialect: SqlDialect, leaseMs: number): string {
  return `UPDATE tg_executions SET owner_id=?, fencing_token=?, lease_until=${sqlLeaseEnd(dialect, leaseMs)}, heartbeat_at=${sqlNow(dialect)}`;
}

function lockClause(dialect: SqlDialect, skipLocked: boolean): string {
  if (dialect === 'sqlite') return '';
  return skipLocked ? ' FOR UPDATE SKIP LOCKED' : ' FOR UPDATE';
}
