/**
 * A group commit on SQLite in one call to the driver, not one per statement.
 *
 * node-sqlite3 runs each statement as its own trip to its worker thread, and a commit was six of
 * them (BEGIN, the ownership check, three inserts, COMMIT); on a busy machine each trip waits for
 * the thread to be scheduled (0.5 ms measured under load). Here the whole transaction is one SQL
 * text run by `exec`: BEGIN IMMEDIATE, the new executions and their task rows (kept if already
 * stored: a retried batch), a guard, the execution updates, the transitions (skipped if already
 * stored), the task rows, COMMIT.
 *
 * The guard: `SELECT json('fenced') WHERE <the touched executions are not all there and owned by
 * this engine>` selects no row when all is well; otherwise it calls `json()` on text that is not
 * JSON, which SQLite refuses with an error, and `exec` stops there, before any write but the new
 * executions. The transaction is then rolled back, and one SELECT finds what was wrong: a
 * missing execution (StorageError) or one another engine owns or claimed since, its fencing
 * token moved on (OwnershipLostError, fencing).
 * Any other error is rolled back and thrown as it is.
 *
 * Values are written as literals (sqliteLiteral.ts): `exec` takes no parameters.
 */
import type { Sequelize } from 'sequelize';
import type { CommitBatch } from '../records.js';
import { executionInsertStatements, executionUpdateStatements, explainRefusal } from './executionRepository.js';
import { createdLeaseStatement } from './leaseRepository.js';
import { inlineParameters, sqliteLiteral } from './sqliteLiteral.js';
import { taskRunInsertStatements, taskRunUpsertStatements } from './taskRunRepository.js';
import { transitionInsertStatements } from './transitionRepository.js';

/** node-sqlite3's Database, as Sequelize's SQLite dialect keeps it. */
interface SqliteDatabase {
  exec(sql: string, callback: (error: Error | null) => void): void;
  all(sql: string, params: unknown[], callback: (error: Error | null, rows: Record<string, unknown>[]) => void): void;
}

export async function commitOnSqlite(sequelize: Sequelize, batch: CommitBatch): Promise<void> {
  const created = batch.created ?? [];
  const touched = [...new Set([...batch.transitions.map((t) => t.executionId), ...batch.taskRuns.map((t) => t.executionId), ...batch.executions.map((e) => e.id)])];
  const parts = ['BEGIN IMMEDIATE'];
  const add = (statements: readonly { sql: string; params: unknown[] }[]) => {
    for (const { sql, params } of statements) parts.push(inlineParameters(sql, params));
  };
  add(executionInsertStatements(created.map(({ execution }) => execution), 'sqlite', 'keep'));
  add(taskRunInsertStatements(created.flatMap(({ tasks }) => tasks), 'sqlite', 'keep'));
  if (created.length > 0 && batch.ownerId !== undefined && batch.leaseMs !== undefined) {
    add([createdLeaseStatement(created.map(({ execution }) => execution.id), batch.ownerId, batch.leaseMs, 'sqlite')]);
  }
  if (touched.length > 0) {
    parts.push(`SELECT json('fenced') WHERE (SELECT COUNT(*) FROM tg_executions WHERE ${heldCondition(touched, batch)}) != ${touched.length}`);
  }
  add(executionUpdateStatements(batch.executions, 'sqlite'));
  add(transitionInsertStatements(batch.transitions, 'sqlite'));
  add(taskRunUpsertStatements(batch.taskRuns, 'sqlite'));
  parts.push('COMMIT');

  const manager = sequelize.connectionManager as unknown as { getConnection(options: object): Promise<SqliteDatabase> };
  const database = await manager.getConnection({});
  const exec = (sql: string) => new Promise<void>((resolve, reject) => database.exec(sql, (error) => (error ? reject(error) : resolve())));
  try {
    await exec(parts.join(';\n'));
  } catch (error) {
    await exec('ROLLBACK').catch(() => undefined); // nothing to roll back if BEGIN itself failed
    if (touched.length > 0) {
      const select = (sql: string, params: unknown[]) =>
        new Promise<Record<string, unknown>[]>((resolve, reject) => database.all(sql, params, (failure, rows) => (failure ? reject(failure) : resolve(rows))));
      await explainRefusal(select, touched, batch);
    }
    throw error;
  }
}

/**
 * The guard's condition: the row is one of `touched`, and (when the batch names its engine) held
 * by it, under the fencing token it commits with where it gives one.
 */
function heldCondition(touched: readonly string[], batch: CommitBatch): string {
  if (batch.ownerId === undefined) return `id IN (${touched.map(sqliteLiteral).join(',')})`;
  const tokens = batch.fencingTokens ?? {};
  const untokened = touched.filter((id) => tokens[id] === undefined);
  const tokened = touched.filter((id) => tokens[id] !== undefined);
  // One row-value list, not an OR per execution: SQLite refuses an expression deeper than 1,000
  // (a batch of a thousand executions was refused, then committed one execution at a time).
  const alternatives: string[] = [];
  if (tokened.length > 0) alternatives.push(`(id, fencing_token) IN (VALUES ${tokened.map((id) => `(${sqliteLiteral(id)}, ${Number(tokens[id])})`).join(', ')})`);
  if (untokened.length > 0) alternatives.push(`id IN (${untokened.map(sqliteLiteral).join(',')})`);
  return `owner_id = ${sqliteLiteral(batch.ownerId)} AND (${alternatives.join(' OR ')})`;
}
