/**
 * Each execution records the graph it ran (task ids and names, dependency edges), so that its
 * DAG can be drawn by `inspect` and the CLI without the code that defined the workflow.
 */
import { DataTypes } from 'sequelize';
import type { MigrationContext } from './Migration.js';

export async function up({ queryInterface, dialect }: MigrationContext): Promise<void> {
  await queryInterface.addColumn('tg_executions', 'graph', { type: dialect === 'sqlite' ? DataTypes.TEXT : DataTypes.JSON, allowNull: true });
}

export async function down({ queryInterface }: MigrationContext): Promise<void> {
  await queryInterface.removeColumn('tg_executions', 'graph');
}
