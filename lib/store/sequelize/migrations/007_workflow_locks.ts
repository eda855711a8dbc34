/**
 * One row per workflow id whose executions a claim limits (`createEngine({ workflowConcurrency })`):
 * the claim transaction locks it (`SELECT … FOR UPDATE`) before it counts the workflow's held
 * executions and takes more, so two engines claiming executions of one workflow at the same moment
 * take turns, and the second counts what the first took. Rows are created by the first claim that
 * needs one and never hold anything else.
 *
 * The key has the type and collation of `tg_executions.workflow_id`, so both compare ids alike.
 */
import { QueryTypes } from 'sequelize';
import type { MigrationContext } from './Migration.js';

export async function up(context: MigrationContext): Promise<void> {
  await context.queryInterface.createTable('tg_workflow_locks', {
    workflow_id: { type: await workflowIdType(context), allowNull: false, primaryKey: true },
  });
}

export async function down({ queryInterface }: MigrationContext): Promise<void> {
  await queryInterface.dropTable('tg_workflow_locks');
}

async function workflowIdType({ dialect, sequelize }: MigrationContext): Promise<string> {
  if (dialect === 'sqlite') return 'VARCHAR(191)';
  if (dialect === 'postgres') return 'VARCHAR(191) COLLATE "C"';
  const [column] = await sequelize.query<{ collation: string }>(
    "SELECT COLLATION_NAME AS collation FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'tg_executions' AND COLUMN_NAME = 'workflow_id'",
    { type: QueryTypes.SELECT },
  );
  return `VARCHAR(191) CHARACTER SET utf8mb4 COLLATE ${column?.collation ?? 'utf8mb4_bin'}`;
}
