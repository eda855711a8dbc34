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
 * waiting for the rows another is taking. A workflow with a concurrency limit is the exception:
 * its claims take turns on the workflow's lock row (migration 007), since each must count what the
 * others took.
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

/**
 * Takes up to `limit` executions nobody holds (see `Store.claimExpired`). The workflows with a
 * limit go first, one at a time in a fixed order (the same in every engine, so two claims never
 * wait for each other's lock rows in a cycle): lock the workflow's row, count its held executions,
 * take at most the room left. The others then share what is left of `limit`, oldest first.
 */
export async function claimExpiredBatch(
  sequelize: Sequelize,
  transaction: Transaction | undefined,
  ownerId: string,
  options: ClaimExpiredOptions,
): Promise<ClaimedExecution[]> {
  if (options.workflowIds.length === 0 || options.limit <= 0) return [];
  const limits = options.workflowLimits ?? {};
  const limited = options.workflowIds.filter((id) => limits[id] !== undefined).sort();
  const unlimited = options.workflowIds.filter((id) => limits[id] === undefined);
  const claimed: ClaimedExecution[] = [];
  for (const workflowId of limited) {
    if (claimed.length >= options.limit) break;
    const room = Math.min(options.limit - claimed.length, limits[workflowId]! - (await lockAndCountHeld(sequelize, transaction, workflowId)));
    if (room > 0) claimed.push(...(await claimFree(sequelize, transaction, ownerId, workflowFilter([workflowId], options.workflowVersions), room, options.leaseMs)));
  }
  if (unlimited.length > 0 && claimed.length < options.limit) {
    claimed.push(...(await claimFree(sequelize, transaction, ownerId, workflowFilter(unlimited, options.workflowVersions), options.limit - claimed.length, options.leaseMs)));
  }
  return claimed;
}

/**
 * Locks `workflowId`'s row of tg_workflow_locks (creating it the first time) until the transaction
 * ends, then counts the workflow's unfinished executions that an owner holds under a lease not yet
 * ended. Under READ COMMITTED the count is read after the lock is granted, so it sees every claim
 * committed by the transaction that held the lock before.
 */
async function lockAndCountHeld(sequelize: Sequelize, transaction: Transaction | undefined, workflowId: string): Promise<number> {
  const dialect = sequelize.getDialect() as SqlDialect;
  const lock = `SELECT workflow_id FROM tg_workflow_locks WHERE workflow_id=?${lockClause(dialect, false)}`;
  if ((await selectRows(sequelize, transaction, lock, [workflowId])).length === 0) {
    const keep = dialect === 'mysql' ? ' ON DUPLICATE KEY UPDATE workflow_id=workflow_id' : ' ON CONFLICT DO NOTHING';
    await execute(sequelize, transaction, `INSERT INTO tg_workflow_locks (workflow_id) VALUES (?)${keep}`, [workflowId]);
    await selectRows(sequelize, transaction, lock, [workflowId]);
  }
  const [row] = await selectRows(
    sequelize,
    transaction,
    `SELECT COUNT(*) AS held FROM tg_executions WHERE workflow_id=? AND ${UNFINISHED} AND NOT ${sqlLeaseFree(dialect)}`,
    [workflowId],
  );
  return Number(row?.['held'] ?? 0);
}

/**
 * The condition on (workflow_id, workflow_version) of a claim: each of `workflowIds`, on the
 * versions `versions` names for it (any version when it names none).
 */
function workflowFilter(workflowIds: readonly string[], versions: ClaimExpiredOptions['workflowVersions']): { sql: string; params: string[] } {
  const anyVersion = workflowIds.filter((id) => versions?.[id] === undefined);
  const terms: string[] = [];
  const params: string[] = [];
  if (anyVersion.length > 0) {
    terms.push(`workflow_id IN (${anyVersion.map(() => '?').join(',')})`);
    params.push(...anyVersion);
  }
  for (const id of workflowIds) {
    const held = versions?.[id];
    if (held === undefined) continue;
    if (held.length === 0) continue; // no version held: nothing of it to claim
    terms.push(`(workflow_id=? AND workflow_version IN (${held.map(() => '?').join(',')}))`);
    params.push(id, ...held);
  }
  return { sql: terms.length === 0 ? '1=0' : `(${terms.join(' OR ')})`, params };
}

/** Claims up to `limit` executions matching `workflows` that nobody holds, oldest first, skipping rows another transaction has locked. */
async function claimFree(
  sequelize: Sequelize,
  transaction: Transaction | undefined,
  ownerId: string,
  workflows: { sql: string; params: string[] },
  limit: number,
  leaseMs: number,
): Promise<ClaimedExecution[]> {
  const dialect = sequelize.getDialect() as SqlDialect;
  const rows = await selectRows(
    sequelize,
    transaction,
    `SELECT id, fencing_token FROM tg_executions WHERE ${UNFINISHED} AND ${sqlLeaseFree(dialect)} AND ${workflows.sql}` +
      ` ORDER BY created_at, id LIMIT ${Math.floor(limit)}${lockClause(dialect, true)}`,
    workflows.params,
  );
  const claimed = rows.map((row) => ({ id: String(row['id']), fencingToken: Number(row['fencing_token']) + 1 }));
  if (claimed.length === 0) return [];
  const ids = claimed.map((claim) => claim.id);
  await execute(
    sequelize,
    transaction,
    `UPDATE tg_executions SET owner_id=?, fencing_token=fencing_token+1, lease_until=${sqlLeaseEnd(dialect, leaseMs)}, heartbeat_at=${sqlNow(dialect)} WHERE id IN (${ids.map(() => '?').join(',')})`,
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
