/**
 * An index on tg_executions (status, finished_at), for `pruneExecutions`. A prune deletes a batch
 * at a time of the executions in some finished statuses that finished before a cutoff; with this
 * index each batch is a range per status and reads its own rows and few more. With the index on
 * status alone, every batch would also read every execution of those statuses that is kept
 * (finished after the cutoff): a prune of many batches would read the kept ones many times over.
 */
import type { MigrationContext } from './Migration.js';

export async function up({ queryInterface }: MigrationContext): Promise<void> {
  await queryInterface.addIndex('tg_executions', ['status', 'finished_at'], { name: 'tg_executions_status_finished' });
}

export async function down({ queryInterface }: MigrationContext): Promise<void> {
  await queryInterface.removeIndex('tg_executions', 'tg_executions_status_finished');
}
