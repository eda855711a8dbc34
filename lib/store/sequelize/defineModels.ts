/**
 * The Sequelize models of the tg_ tables, used for queries only: the tables are created by the
 * migrations, never by `sync()`. Attributes are named after their columns. JSON columns are
 * declared TEXT here because the store serialises JSON itself (see columnCodecs.ts); dates are
 * DATE(3) so that Sequelize writes their milliseconds.
 */
import { DataTypes, Model } from 'sequelize';
import type { ModelStatic, Sequelize } from 'sequelize';

export interface ExecutionRow {
  id: string;
  workflow_id: string;
  workflow_version: string;
  status: string;
  input: string | null;
  output: string | null;
  error: string | null;
  concurrency: number;
  failure_policy: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  owner_id: string | null;
  heartbeat_at: Date | null;
  graph: string | null;
  traceparent: string | null;
  lease_until: Date | null;
  fencing_token: number | string;
}

export interface TaskRunRow {
  execution_id: string;
  task_id: string;
  status: string;
  attempt: number;
  output: string | null;
  error: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  next_retry_at: Date | null;
}

export interface TransitionRow {
  execution_id: string;
  seq: number;
  task_id: string | null;
  from_state: string | null;
  to_state: string;
  event: string;
  attempt: number;
  at: Date;
  data: string | null;
  snapshot: string | null;
  snapshot_format: number;
  machine_version: string;
}

export interface LogRow {
  execution_id: string;
  task_id: string | null;
  attempt: number | null;
  level: string;
  message: string;
  attributes: string;
  at: Date;
}

export interface SpanRow {
  span_id: string;
  parent_span_id: string | null;
  execution_id: string;
  task_id: string | null;
  attempt: number | null;
  name: string;
  status: string;
  started_at: Date;
  finished_at: Date;
  attributes: string;
}

/** A row as a raw query returns it: the dialect decides the JavaScript type of each column. */
export type RawRow<Row> = { [Column in keyof Row]: unknown };

export interface StoreModels {
  executions: ModelStatic<Model<ExecutionRow>>;
  taskRuns: ModelStatic<Model<TaskRunRow>>;
  transitions: ModelStatic<Model<TransitionRow>>;
  logs: ModelStatic<Model<LogRow>>;
  spans: ModelStatic<Model<SpanRow>>;
}

// Factories, not shared objects: Sequelize writes into each attribute definition it is given.
const id = () => ({ type: DataTypes.STRING(191), allowNull: false });
const nullableId = () => ({ type: DataTypes.STRING(191), allowNull: true });
const text = () => ({ type: DataTypes.TEXT, allowNull: false });
const nullableText = () => ({ type: DataTypes.TEXT, allowNull: true });
const integer = () => ({ type: DataTypes.INTEGER, allowNull: false });
const nullableInteger = () => ({ type: DataTypes.INTEGER, allowNull: true });
const date = () => ({ type: DataTypes.DATE(3), allowNull: false });
const nullableDate = () => ({ type: DataTypes.DATE(3), allowNull: true });

/**
 * @example
 * const models = defineModels(sequelize);
 * await models.executions.findAll({ raw: true });
 */
export function defineModels(sequelize: Sequelize): StoreModels {
  const options = { timestamps: false, freezeTableName: true } as const;
  return {
    executions: sequelize.define<Model<ExecutionRow>>(
      'tg_executions',
      {
        id: { ...id(), primaryKey: true },
        workflow_id: id(),
        workflow_version: id(),
        status: id(),
        input: nullableText(),
        output: nullableText(),
        error: nullableText(),
        concurrency: integer(),
        failure_policy: id(),
        created_at: date(),
        started_at: nullableDate(),
        finished_at: nullableDate(),
        owner_id: nullableId(),
        heartbeat_at: nullableDate(),
        graph: nullableText(),
        traceparent: nullableId(),
        lease_until: nullableDate(),
        fencing_token: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      },
      options,
    ),
    taskRuns: sequelize.define<Model<TaskRunRow>>(
      'tg_task_runs',
      {
        execution_id: { ...id(), primaryKey: true },
        task_id: { ...id(), primaryKey: true },
        status: id(),
        attempt: integer(),
        output: nullableText(),
        error: nullableText(),
        started_at: nullableDate(),
        finished_at: nullableDate(),
        next_retry_at: nullableDate(),
      },
      options,
    ),
    transitions: sequelize.define<Model<TransitionRow>>(
      'tg_transitions',
      {
        execution_id: { ...id(), primaryKey: true },
        seq: { ...integer(), primaryKey: true },
        task_id: nullableId(),
        from_state: nullableText(),
        to_state: text(),
        event: text(),
        attempt: integer(),
        at: date(),
        data: nullableText(),
        snapshot: nullableText(),
        snapshot_format: integer(),
        machine_version: id(),
      },
      options,
    ),
    logs: sequelize.define<Model<LogRow>>(
      'tg_logs',
      {
        execution_id: id(),
        task_id: nullableId(),
        attempt: nullableInteger(),
        level: id(),
        message: text(),
        attributes: text(),
        at: date(),
      },
      options,
    ),
    spans: sequelize.define<Model<SpanRow>>(
      'tg_spans',
      {
        span_id: { ...id(), primaryKey: true },
        parent_span_id: nullableId(),
        execution_id: id(),
        task_id: nullableId(),
        attempt: nullableInteger(),
        name: text(),
        status: id(),
        started_at: date(),
        finished_at: date(),
        attributes: text(),
      },
      options,
    ),
  };
}
