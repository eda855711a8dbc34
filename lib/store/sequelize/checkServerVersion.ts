/**
 * Refuses a database server too old for what the store relies on, when the store opens, with a
 * `StorageError` (code `SERVER_TOO_OLD`) naming the version found and the one needed:
 *
 * - MySQL 8.0.1 and MariaDB 10.6: the first with `SELECT … FOR UPDATE SKIP LOCKED`, which lets
 *   many engines claim executions from one table without waiting on each other's locks.
 * - PostgreSQL 9.5: the first with `SKIP LOCKED` and `INSERT … ON CONFLICT`, which the store's
 *   idempotent commits use.
 *
 * Refusing at open is better than failing on the first statement a server does not know, in the
 * middle of a run. The version is read with a query, not from the connection handshake: MariaDB
 * announces itself there as "5.5.5-10.11.6-MariaDB" for old MySQL clients.
 */
import { QueryTypes } from 'sequelize';
import type { Sequelize } from 'sequelize';
import { StorageError } from '../../errors.js';
import type { ServerTarget } from './parseStorageUrl.js';

/** A server as the store found it. */
export interface ServerVersion {
  readonly product: 'MySQL' | 'MariaDB' | 'PostgreSQL';
  /** As the server writes it, e.g. '10.11.6-MariaDB-0+deb12u1', '8.0.36', '15.20 (Debian 15.20-0+deb12u1)'. */
  readonly text: string;
  /** Major, minor, patch (PostgreSQL 10 and later: major, minor, 0). */
  readonly parts: readonly [number, number, number];
}

interface MinimumVersion {
  readonly parts: readonly [number, number, number];
  readonly label: string;
  /** What the store needs of it. */
  readonly needs: string;
}

/** The oldest version of each product the store accepts. */
export const MINIMUM_SERVER_VERSIONS: Readonly<Record<ServerVersion['product'], MinimumVersion>> = {
  MySQL: { parts: [8, 0, 1], label: '8.0.1', needs: 'SELECT … FOR UPDATE SKIP LOCKED' },
  MariaDB: { parts: [10, 6, 0], label: '10.6', needs: 'SELECT … FOR UPDATE SKIP LOCKED' },
  PostgreSQL: { parts: [9, 5, 0], label: '9.5', needs: 'SELECT … FOR UPDATE SKIP LOCKED and INSERT … ON CONFLICT' },
};

/**
 * Reads the server's version and refuses it when it is too old.
 * @example
 * await checkServerVersion(sequelize, parseStorageUrl('postgres://postgres@127.0.0.1/app') as ServerTarget);
 */
export async function checkServerVersion(sequelize: Sequelize, target: ServerTarget): Promise<ServerVersion> {
  const version = await readServerVersion(sequelize, target.dialect);
  assertServerSupported(version, `${target.host}:${target.port}`);
  return version;
}

async function readServerVersion(sequelize: Sequelize, dialect: ServerTarget['dialect']): Promise<ServerVersion> {
  if (dialect === 'postgres') {
    const [row] = await sequelize.query<{ version: string; num: string }>(
      "SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS num",
      { type: QueryTypes.SELECT },
    );
    return parsePostgresVersion(String(row?.version), String(row?.num));
  }
  const [row] = await sequelize.query<{ version: string }>('SELECT VERSION() AS version', { type: QueryTypes.SELECT });
  return parseMysqlVersion(String(row?.version));
}

/**
 * @example
 * parseMysqlVersion('10.11.6-MariaDB-0+deb12u1'); // { product: 'MariaDB', parts: [10, 11, 6], ... }
 * parseMysqlVersion('8.0.36'); // { product: 'MySQL', parts: [8, 0, 36], ... }
 */
export function parseMysqlVersion(text: string): ServerVersion {
  const mariadb = /mariadb/i.test(text);
  const numbers = /(\d+)\.(\d+)\.(\d+)/.exec(mariadb ? text.replace(/^5\.5\.5-/, '') : text);
  return { product: mariadb ? 'MariaDB' : 'MySQL', text, parts: numbers ? [Number(numbers[1]), Number(numbers[2]), Number(numbers[3])] : [0, 0, 0] };
}

/**
 * From `server_version_num`: 90426 is 9.4.26, 150020 is 15.20.
 * @example
 * parsePostgresVersion('9.4.26', '90426').parts; // [9, 4, 26]
 */
export function parsePostgresVersion(text: string, versionNum: string): ServerVersion {
  const num = Number(versionNum);
  const parts: [number, number, number] = !Number.isInteger(num)
    ? [0, 0, 0]
    : num >= 100_000
      ? [Math.floor(num / 10_000), num % 10_000, 0]
      : [Math.floor(num / 10_000), Math.floor(num / 100) % 100, num % 100];
  return { product: 'PostgreSQL', text, parts };
}

/**
 * @throws StorageError (code SERVER_TOO_OLD) when `version` is older than its product's minimum.
 * @example
 * assertServerSupported(parseMysqlVersion('10.5.23-MariaDB'), '127.0.0.1:3306'); // throws
 */
export function assertServerSupported(version: ServerVersion, where: string): void {
  const minimum = MINIMUM_SERVER_VERSIONS[version.product];
  if (compareParts(version.parts, minimum.parts) >= 0) return;
  throw new StorageError(
    `The ${version.product} server at ${where} is version ${version.text}, too old for task-graph: it needs ${version.product} ${minimum.label} or later` +
      ` (for ${minimum.needs}). Upgrade the server, or use another storage.`,
    { code: 'SERVER_TOO_OLD' },
  );
}

function compareParts(a: readonly number[], b: readonly number[]): number {
  for (let index = 0; index < 3; index++) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
