/**
 * Leases: each unfinished execution is held by its owner until `lease_until`, a time computed by
 * the database's clock (never an engine's), which the owner's heartbeat pushes forward; and a
 * `fencing_token` that every claim increments, which every commit of the owner is checked against
 * (see leaseSql.ts and the group commits). An execution whose lease has passed, or that has none
 * (rows written before this migration, or released on close), is free for any engine to claim.
 *
 * The index serves the recovery scan: unfinished executions (by status) whose lease has passed.
 */
import { DataTypes } from 'sequelize';
import type { MigrationContext } from './Migration.js';

export async function up({ queryInterface }: MigrationContext): Promise<void> {
  await queryInterface.addColumn('tg_executions', 'lease_until', { type: DataTypes.DATE(3), allowNull: true });
  await queryInterface.addColumn('tg_executions', 'fencing_token', { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 });
  await queryInterface.addIndex('tg_executions', ['status', 'lease_until'], { name: 'tg_executions_status_lease' });
}

export async function down({ queryInterface }: MigrationContext): Promise<void> {
  await queryInterface.removeIndex('tg_executions', 'tg_executions_status_lease');
  await queryInterface.removeColumn('tg_executions', 'fencing_token');
  await queryInterface.removeColumn('tg_executions', 'lease_until');
}
