/**
 * The node-postgres module handed to Sequelize's `postgres` dialect, with two changes to its
 * Client:
 *
 * - `json` and `jsonb` columns come back as their text instead of parsed. The store serialises
 *   JSON itself and parses what it reads (columnCodecs.ts); a column parsed by the driver would be
 *   parsed twice, and a stored JSON string such as "123" would come back as the number 123.
 *   (MySQL gets the same from mysql2's `jsonStrings`.) Every other type keeps the parser
 *   Sequelize gives the client.
 * - Every client listens for 'error' from the start. Sequelize adds its listener (which drops the
 *   connection from the pool) only once `connect()` has called back; a server that ends the
 *   session in the same network read as the one that completed the login (a connection killed
 *   as it opens: pg_terminate_backend, a failover) has node-postgres emit 'error' before that,
 *   and an 'error' nobody listens to is thrown as an uncaught exception, which ends the process.
 *   Such a client is already unusable: Sequelize's next query on it fails, so its connect fails
 *   with a lost-connection error, which the engine retries.
 *
 * `pg` is loaded on first use, so a process on SQLite or MySQL never loads it.
 */
import { createRequire } from 'node:module';
import type pg from 'pg';

const JSON_TYPE_OIDS: ReadonlySet<number> = new Set([114, 3802]); // json, jsonb
const keepText = (text: string): string => text;
const ignoreUntilSequelizeListens = (): void => {};

let driver: typeof pg | undefined;

/**
 * @example
 * new Sequelize({ dialect: 'postgres', dialectModule: createPostgresDriver(), ... });
 */
export function createPostgresDriver(): typeof pg {
  if (driver) return driver;
  const base = createRequire(import.meta.url)('pg') as typeof pg;
  class Client extends base.Client {
    constructor(config: pg.ClientConfig) {
      const types = config.types;
      super({
        ...config,
        types: {
          getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
            JSON_TYPE_OIDS.has(oid) ? keepText : (types ?? base.types).getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
        },
      });
      this.on('error', ignoreUntilSequelizeListens);
    }
  }
  driver = { ...base, Client } as typeof pg;
  return driver;
}
