/**
 * The first schema: executions, task runs, the transition log, logs and spans.
 *
 * Column choices (kept here, not in a shared helper, so this migration never changes):
 * - Ids and other keys are arbitrary user strings stored exactly: VARCHAR(191) (191 utf8mb4
 *   characters fit the 767-byte index prefix of older InnoDB). On MySQL/MariaDB they use a binary,
 *   no-pad collation: with utf8mb4_unicode_ci, the table default, 'build' = 'Build' = 'build ',
 *   and many emoji compare equal to each other, so distinct task ids would collide in a key. On
 *   PostgreSQL they use the "C" collation: byte order, whatever the database's locale.
 * - JSON values: JSON on MySQL (MariaDB makes it LONGTEXT with a json_valid check) and on
 *   PostgreSQL (`json`, which keeps the text as written; `jsonb` would reorder keys), TEXT on
 *   SQLite (a column declared JSON there has numeric affinity, which turns the text '5' into 5).
 * - Times: DATETIME(3), milliseconds kept, in UTC (PostgreSQL: TIMESTAMP WITH TIME ZONE).
 */
import { DataTypes, QueryTypes } from 'sequelize';
import type { DataType } from 'sequelize';
import type { MigrationContext } from './Migration.js';

interface ColumnTypes {
  id: DataType;
  json: DataType;
  text: DataType;
  longText: DataType;
  date: DataType;
  autoId: DataType;
}

export async function up(context: MigrationContext): Promise<void> {
  const { queryInterface: qi } = context;
  const t = await columnTypes(context);
  const executionReference = { references: { model: 'tg_executions', key: 'id' }, onDelete: 'CASCADE' };

  await qi.createTable('tg_executions', {
    id: { type: t.id, primaryKey: true, allowNull: false },
    workflow_id: { type: t.id, allowNull: false },
    workflow_version: { type: t.id, allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    input: { type: t.json, allowNull: true },
    output: { type: t.json, allowNull: true },
    error: { type: t.json, allowNull: true },
    concurrency: { type: DataTypes.INTEGER, allowNull: false },
    failure_policy: { type: DataTypes.STRING(16), allowNull: false },
    created_at: { type: t.date, allowNull: false },
    started_at: { type: t.date, allowNull: true },
    finished_at: { type: t.date, allowNull: true },
    owner_id: { type: t.id, allowNull: true },
    heartbeat_at: { type: t.date, allowNull: true },
  });
  await qi.addIndex('tg_executions', ['workflow_id', 'created_at'], { name: 'tg_executions_workflow_created' });
  await qi.addIndex('tg_executions', ['status'], { name: 'tg_executions_status' });
  await qi.addIndex('tg_executions', ['owner_id'], { name: 'tg_executions_owner' });

  await qi.createTable('tg_task_runs', {
    execution_id: { type: t.id, primaryKey: true, allowNull: false, ...executionReference },
    task_id: { type: t.id, primaryKey: true, allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    attempt: { type: DataTypes.INTEGER, allowNull: false },
    output: { type: t.json, allowNull: true },
    error: { type: t.json, allowNull: true },
    started_at: { type: t.date, allowNull: true },
    finished_at: { type: t.date, allowNull: true },
    next_retry_at: { type: t.date, allowNull: true },
  });

  await qi.createTable('tg_transitions', {
    execution_id: { type: t.id, primaryKey: true, allowNull: false, ...executionReference },
    seq: { type: DataTypes.INTEGER, primaryKey: true, allowNull: false },
    task_id: { type: t.id, allowNull: true },
    from_state: { type: t.text, allowNull: true },
    to_state: { type: t.text, allowNull: false },
    event: { type: t.text, allowNull: false },
    attempt: { type: DataTypes.INTEGER, allowNull: false },
    at: { type: t.date, allowNull: false },
    data: { type: t.json, allowNull: true },
    snapshot: { type: t.json, allowNull: true },
    snapshot_format: { type: DataTypes.INTEGER, allowNull: false },
    machine_version: { type: t.id, allowNull: false },
  });

  await qi.createTable('tg_logs', {
    id: { type: t.autoId, primaryKey: true, autoIncrement: true, allowNull: false },
    execution_id: { type: t.id, allowNull: false },
    task_id: { type: t.id, allowNull: true },
    attempt: { type: DataTypes.INTEGER, allowNull: true },
    level: { type: t.id, allowNull: false },
    message: { type: t.longText, allowNull: false },
    attributes: { type: t.json, allowNull: false },
    at: { type: t.date, allowNull: false },
  });
  await qi.addIndex('tg_logs', ['execution_id'], { name: 'tg_logs_execution' });

  await qi.createTable('tg_spans', {
    span_id: { type: t.id, primaryKey: true, allowNull: false },
    parent_span_id: { type: t.id, allowNull: true },
    execution_id: { type: t.id, allowNull: false },
    task_id: { type: t.id, allowNull: true },
    attempt: { type: DataTypes.INTEGER, allowNull: true },
    name: { type: t.text, allowNull: false },
    status: { type: t.id, allowNull: false },
    started_at: { type: t.date, allowNull: false },
    finished_at: { type: t.date, allowNull: false },
    attributes: { type: t.json, allowNull: false },
  });
  await qi.addIndex('tg_spans', ['execution_id', 'started_at'], { name: 'tg_spans_execution_started' });
}

export async function down({ queryInterface: qi }: MigrationContext): Promise<void> {
  for (const table of ['tg_spans', 'tg_logs', 'tg_transitions', 'tg_task_runs', 'tg_executions']) {
    await qi.dropTable(table);
  }
}

async function columnTypes({ dialect, sequelize }: MigrationContext): Promise<ColumnTypes> {
  if (dialect === 'sqlite') {
    return {
      id: DataTypes.STRING(191),
      json: DataTypes.TEXT,
      text: DataTypes.TEXT,
      longText: DataTypes.TEXT,
      date: DataTypes.DATE(3),
      autoId: DataTypes.INTEGER,
    };
  }
  if (dialect === 'postgres') {
    return {
      id: 'VARCHAR(191) COLLATE "C"',
      json: DataTypes.JSON,
      text: DataTypes.TEXT,
      longText: DataTypes.TEXT,
      date: DataTypes.DATE(3),
      autoId: DataTypes.BIGINT,
    };
  }
  const collation = await binaryCollation(sequelize);
  return {
    id: `VARCHAR(191) CHARACTER SET utf8mb4 COLLATE ${collation}`,
    json: DataTypes.JSON,
    text: DataTypes.TEXT,
    longText: 'MEDIUMTEXT',
    date: DataTypes.DATE(3),
    autoId: DataTypes.BIGINT,
  };
}

/**
 * A binary collation that does not ignore trailing spaces: utf8mb4_nopad_bin (MariaDB),
 * utf8mb4_0900_bin (MySQL 8), else utf8mb4_bin (MySQL 5.7: 'a' and 'a ' then compare equal).
 */
async function binaryCollation(sequelize: MigrationContext['sequelize']): Promise<string> {
  const rows = await sequelize.query<{ Collation: string }>(
    "SHOW COLLATION WHERE Collation IN ('utf8mb4_nopad_bin', 'utf8mb4_0900_bin')",
    { type: QueryTypes.SELECT },
  );
  const available = new Set(rows.map((row) => row.Collation));
  if (available.has('utf8mb4_nopad_bin')) return 'utf8mb4_nopad_bin';
  if (available.has('utf8mb4_0900_bin')) return 'utf8mb4_0900_bin';
  return 'utf8mb4_bin';
}
