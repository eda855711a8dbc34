import type { QueryInterface, Sequelize } from 'sequelize';
import type { SqlDialect } from '../parseStorageUrl.js';

/** What every migration receives. */
export interface MigrationContext {
  readonly queryInterface: QueryInterface;
  readonly sequelize: Sequelize;
  readonly dialect: SqlDialect;
}

/** One schema change. A migration, once released, is never edited: a change is a new migration. */
export interface Migration {
  /** Recorded in `tg_schema_migrations`; the order of `MIGRATIONS` is the order they run in. */
  readonly name: string;
  up(context: MigrationContext): Promise<void>;
  down(context: MigrationContext): Promise<void>;
}
