/**
 * Indexes for listing executions newest first (the dashboard's executions page, `task-graph
 * list`): `(created_at, id)` for the whole list and its keyset cursor, `(status, created_at, id)`
 * for a list by status, `(workflow_id, status, created_at)` for the counts per status of one
 * workflow (and its list by status). Without them, every page sorted the whole table (100,000
 * executions on SQLite: 244 ms for the first page, 318 ms for a page deep in the cursor chain),
 * and counting one workflow's executions read every row of it (MariaDB: 230 ms), measured with
 * bench/dashboardList.ts. A list by workflow alone has `(workflow_id, created_at)` (001).
 */
import type { MigrationContext } from './Migration.js';

export async function up({ queryInterface }: MigrationContext): Promise<void> {
  await queryInterface.addIndex('tg_executions', ['created_at', 'id'], { name: 'tg_executions_created_id' });
  await queryInterface.addIndex('tg_executions', ['status', 'created_at', 'id'], { name: 'tg_executions_status_created_id' });
  await queryInterface.addIndex('tg_executions', ['workflow_id', 'status', 'created_at'], { name: 'tg_executions_workflow_status_created' });
}

export async function down({ queryInterface }: MigrationContext): Promise<void> {
  await queryInterface.removeIndex('tg_executions', 'tg_executions_workflow_status_created');
  await queryInterface.removeIndex('tg_executions', 'tg_executions_status_created_id');
  await queryInterface.removeIndex('tg_executions', 'tg_executions_created_id');
}
