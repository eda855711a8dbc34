/**
 * A group commit on MySQL/MariaDB in one round trip (more only when it exceeds MAX_QUERY_BYTES).
 *
 * One multi-statement query: `START TRANSACTION`, the new executions and their task rows (kept if
 * already stored: a retried batch), `SELECT … FOR UPDATE` of the executions the batch touches (so
 * two commits of one execution queue up instead of deadlocking on the foreign keys' shared locks,
 * and a take-over's claim waits for this commit), a guard, the execution updates, the transitions
 * (skipped if already stored), the task rows, `COMMIT`.
 *
 * The guard selects a scalar subquery that returns no row when every touched execution is there
 * and held by this engine (its owner, under the fencing token the batch commits with where it
 * gives one), and two rows otherwise, which the server refuses (error 1242, "Subquery
 * returns more than 1 row"). A statement that fails stops the query before any later statement:
 * the transaction is rolled back, and one SELECT finds what was wrong: a missing execution
 * (StorageError) or one another engine owns or claimed since (OwnershipLostError, fencing). The subquery is
 * correlated with the counted row, so the server cannot evaluate it ahead of the check. Any other
 * error is rolled back and thrown as it is.
 *
 * Measured here (MariaDB 10.11): a chain step (one commit of two transitions) cost 2.28 ms with
 * the owner check as a round trip of its own; one round trip is what the guard saves. The
 * statements and their parameters are the ones the other dialects run one by one (the
 * repositories' `*Statements` builders); mysql2 formats the parameters client-side, escaped.
 */
import type { Sequelize } from 'sequelize';
import type { CommitBatch } from '../records.js';
import { executionInsertStatements, executionUpdateStatements, explainRefusal } from './executionRepository.js';
import { createdLeaseStatement } from './leaseRepository.js';
import type { Statement } from './rawStatements.js';
import { taskRunInsertStatements, taskRunUpsertStatements } from './taskRunRepository.js';
import { transitionInsertStatements } from './transitionRepository.js';

/** mysql2's callback connection, as Sequelize's pool lends it. */
interface MysqlConnection {
  query(sql: string, params: unknown[], callback: (error: Error | null, results?: unknown) => void): void;
}

/** Most bytes of SQL and parameters sent in one query (MariaDB's max_allowed_packet is 16 MB by default). */
const MAX_QUERY_BYTES = 8 * 1024 * 1024;

export async function commitOnMysql(sequelize: Sequelize, batch: CommitBatch): Promise<void> {
  const created = batch.created ?? [];
  const touched = [...new Set([...batch.transitions.map((t) => t.executionId), ...batch.taskRuns.map((t) => t.executionId), ...batch.executions.map((e) => e.id)])];
  const writes: Statement[] = [
    ...executionInsertStatements(created.map(({ execution }) => execution), 'mysql', 'keep'),
    ...taskRunInsertStatements(created.flatMap(({ tasks }) => tasks), 'mysql', 'keep'),
    ...(created.length > 0 && batch.ownerId !== undefined && batch.leaseMs !== undefined
      ? [createdLeaseStatement(created.map(({ execution }) => execution.id), batch.ownerId, batch.leaseMs, 'mysql')]
      : []),
    ...(touched.length > 0 ? guardStatements(touched, batch) : []),
    ...executionUpdateStatements(batch.executions, 'mysql'),
    ...transitionInsertStatements(batch.transitions, 'mysql'),
    ...taskRunUpsertStatements(batch.taskRuns, 'mysql'),
  ];
  const manager = sequelize.connectionManager as unknown as {
    getConnection(options: object): Promise<MysqlConnection>;
    releaseConnection(connection: MysqlConnection): Promise<void>;
  };
  const connection = await manager.getConnection({ type: 'write' });
  const query = (sql: string, params: unknown[] = []) =>
    new Promise<unknown>((resolve, reject) => connection.query(sql, params, (error, results) => (error ? reject(error) : resolve(results))));
  let open = false;
  try {
    const groups = groupBySize(writes);
    if (groups.length === 0) groups.push([]);
    for (let i = 0; i < groups.length; i++) {
      const group = groups[i]!;
      const sql = [...(i === 0 ? ['START TRANSACTION'] : []), ...group.map((statement) => statement.sql), ...(i === groups.length - 1 ? ['COMMIT'] : [])];
      open = true;
      await query(sql.join(';'), group.flatMap((statement) => statement.params));
    }
    open = false;
  } catch (error) {
    if (open) await query('ROLLBACK').catch(() => undefined);
    if (isGuardRefusal(error)) await explainRefusal((sql, params) => query(sql, params) as Promise<Record<string, unknown>[]>, touched, batch);
    throw error;
  } finally {
    await manager.releaseConnection(connection);
  }
}

/**
 * Locks the touched executions' rows, then refuses (error 1242) unless all are there and held by
 * the batch's engine, under the fencing token it commits each with where it gives one.
 */
function guardStatements(touched: readonly string[], batch: CommitBatch): Statement[] {
  const list = touched.map(() => '?').join(',');
  const params: unknown[] = [touched.length];
  let notHeld = '';
  if (batch.ownerId !== undefined) {
    const tokens = batch.fencingTokens ?? {};
    const tokened = touched.filter((id) => tokens[id] !== undefined);
    const moved = tokened.map(() => ' OR (id = ? AND NOT (fencing_token <=> ?))').join('');
    notHeld = ` OR SUM((NOT (owner_id <=> ?))${moved}) > 0`;
    params.push(batch.ownerId, ...tokened.flatMap((id) => [id, tokens[id]]));
  }
  return [
    { sql: `SELECT id FROM tg_executions WHERE id IN (${list}) FOR UPDATE`, params: [...touched] },
    {
      sql:
        'SELECT (SELECT 1 FROM (SELECT 1 AS refused UNION ALL SELECT 2) AS two WHERE checked.bad) AS fenced ' +
        `FROM (SELECT COUNT(*) <> ?${notHeld} AS bad FROM tg_executions WHERE id IN (${list})) AS checked`,
      params: [...params, ...touched],
    },
  ];
}

/** The guard's refusal: MySQL's ER_SUBQUERY_NO_1_ROW. */
function isGuardRefusal(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { errno?: unknown }).errno === 1242;
}

/** Statements in runs of at most MAX_QUERY_BYTES (roughly: the SQL and the text parameters). */
function groupBySize(statements: readonly Statement[]): Statement[][] {
  const groups: Statement[][] = [];
  let group: Statement[] = [];
  let bytes = 0;
  for (const statement of statements) {
    const size = statement.sql.length + statement.params.reduce<number>((sum, value) => sum + (typeof value === 'string' ? value.length : 8), 0);
    if (group.length > 0 && bytes + size > MAX_QUERY_BYTES) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(statement);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}
