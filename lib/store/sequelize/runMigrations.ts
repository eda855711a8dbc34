/**
 * Brings the schema up to date with umzug. The names of the applied migrations are kept in
 * `tg_schema_migrations`; a database that already holds a migration this version of task-graph
 * does not know was written by a newer version, and is refused rather than used.
 *
 * Everything, from reading the applied migrations to the last one run, happens under the
 * database's migration lock (withMigrationLock.ts): processes opening the same new database at
 * once migrate it one after the other, and all but the first find nothing to do.
 */
import { SequelizeStorage, Umzug } from 'umzug';
import { DataTypes } from 'sequelize';
import type { Sequelize } from 'sequelize';
import { StorageError } from '../../errors.js';
import { MIGRATIONS } from './migrations/index.js';
import { withMigrationLock } from './withMigrationLock.js';
import type { MigrationContext } from './migrations/index.js';
import type { SqlDialect } from './parseStorageUrl.js';

export const MIGRATIONS_TABLE = 'tg_schema_migrations';

/**
 * Runs the pending migrations and returns their names. `location` names the database in errors.
 * @example
 * await runMigrations(sequelize, 'sqlite', 'sqlite:/srv/app/tg.db'); // ['001_initial', ...] on a new database, then []
 */
export async function runMigrations(sequelize: Sequelize, dialect: SqlDialect, location: string): Promise<string[]> {
  return withMigrationLock(sequelize, dialect, location, () => migrate(sequelize, dialect));
}

async function migrate(sequelize: Sequelize, dialect: SqlDialect): Promise<string[]> {
  const context: MigrationContext = { queryInterface: sequelize.getQueryInterface(), sequelize, dialect };
  const umzug = new Umzug({
    migrations: MIGRATIONS.map((migration) => ({
      name: migration.name,
      up: () => migration.up(context),
      down: () => migration.down(context),
    })),
    context,
    storage: new SequelizeStorage({ model: defineMigrationsModel(sequelize) }),
    logger: undefined,
  });
  const known = new Set(MIGRATIONS.map((migration) => migration.name));
  const unknown = (await umzug.executed()).map((migration) => migration.name).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new StorageError(
      `The database schema is newer than this version of task-graph (it has migration ${unknown.join(', ')}).` +
        ' Upgrade task-graph, or use another database.',
    );
  }
  const applied = await umzug.up();
  return applied.map((migration) => migration.name);
}

/** umzug's default model would create the table as utf8 (utf8mb3) on MySQL. */
function defineMigrationsModel(sequelize: Sequelize) {
  return sequelize.define(
    'TgSchemaMigration',
    { name: { type: DataTypes.STRING(191), allowNull: false, primaryKey: true } },
    { tableName: MIGRATIONS_TABLE, timestamps: false, charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
  );
}
