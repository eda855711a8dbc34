/**
 * Each execution stores the W3C traceparent of its OpenTelemetry span (55 characters), so that a
 * resume in another process, or a fork, continues the same trace. Null when there was no trace.
 */
import { DataTypes } from 'sequelize';
import type { MigrationContext } from './Migration.js';

export async function up({ queryInterface }: MigrationContext): Promise<void> {
  await queryInterface.addColumn('tg_executions', 'traceparent', { type: DataTypes.STRING(64), allowNull: true });
}

export async function down({ queryInterface }: MigrationContext): Promise<void> {
  await queryInterface.removeColumn('tg_executions', 'traceparent');
}
