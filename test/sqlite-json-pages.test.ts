/**
 * readJsonPages: an execution's rows read from SQLite as JSON pages are the rows a plain SELECT
 * gives, in key order, across many pages, after a key, and when a page is too big to be one string.
 */
import { expect } from 'chai';
import { QueryTypes, Sequelize } from 'sequelize';
import type sqlite3 from 'sqlite3';
import { readJsonPages } from '../lib/store/sequelize/sqliteJsonPages.js';
import { AWKWARD_IDS } from './support/records.js';

describe('SQLite rows as JSON pages', () => {
  let sequelize: Sequelize;
  const select = (sql: string, replacements: unknown[] = []) => sequelize.query(sql, { replacements, type: QueryTypes.SELECT, raw: true }) as unknown as Promise<Record<string, unknown>[]>;

  before(async () => {
    sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false, pool: { max: 1 } });
    await sequelize.query('CREATE TABLE t (execution_id TEXT NOT NULL, k INTEGER NOT NULL, id TEXT NOT NULL, v TEXT, n INTEGER, PRIMARY KEY (execution_id, k))');
    const values = Array.from({ length: 12_001 }, (_, k) => [
      'e1',
      k + 1,
      `${AWKWARD_IDS[k % AWKWARD_IDS.length]}-${String(k).padStart(5, '0')}`,
      k % 3 === 0 ? null : JSON.stringify({ k, text: 'ünï "q" \\ \u0001 🎉' }),
      k % 5 === 0 ? null : k * 7,
    ]);
    for (let start = 0; start < values.length; start += 1_000) {
      const chunk = values.slice(start, start + 1_000);
      await sequelize.query(`INSERT INTO t VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')}`, { replacements: chunk.flat() });
    }
    await sequelize.query("INSERT INTO t VALUES ('e2', 1, 'other', 'x', 1)");
  });
  after(() => sequelize.close());

  it('gives the rows a SELECT gives, by key, across pages of 5,000', async () => {
    const expected = await select('SELECT k, id, v, n FROM t WHERE execution_id = ? ORDER BY k', ['e1']);
    const read = await readJsonPages(sequelize, { table: 't', columns: ['k', 'id', 'v', 'n'], key: 'k', executionId: 'e1' });
    expect(read).to.have.length(12_001);
    expect(read).to.deep.equal(expected);
  });

  it('pages by a text key, after a key, and only the execution asked for', async () => {
    const expected = await select('SELECT id, n FROM t WHERE execution_id = ? ORDER BY id', ['e1']);
    expect(await readJsonPages(sequelize, { table: 't', columns: ['id', 'n'], key: 'id', executionId: 'e1' })).to.deep.equal(expected);
    const after = await readJsonPages(sequelize, { table: 't', columns: ['k'], key: 'k', executionId: 'e1', after: 11_990 });
    expect(after.map((row) => row.k)).to.deep.equal([11_991, 11_992, 11_993, 11_994, 11_995, 11_996, 11_997, 11_998, 11_999, 12_000, 12_001]);
    expect(await readJsonPages(sequelize, { table: 't', columns: ['id'], key: 'k', executionId: 'e2' })).to.deep.equal([{ id: 'other' }]);
    expect(await readJsonPages(sequelize, { table: 't', columns: ['id'], key: 'k', executionId: 'none' })).to.deep.equal([]);
  });

  it('reads a page too big to be one value as rows', async () => {
    const connection = (await sequelize.connectionManager.getConnection({ type: 'read' })) as unknown as sqlite3.Database;
    const LIMIT_LENGTH = 0; // SQLITE_LIMIT_LENGTH
    connection.configure('limit', LIMIT_LENGTH, 100_000); // a page of 5,000 rows is about 400 KB of JSON
    try {
      const expected = await select('SELECT k, v FROM t WHERE execution_id = ? ORDER BY k', ['e1']);
      const refused = await select("SELECT json_group_array(json_object('v', v)) AS page FROM t WHERE execution_id = 'e1'").catch((error: unknown) => error);
      expect(String(refused)).to.match(/too big/); // the limit holds: the reader below must fall back
      expect(await readJsonPages(sequelize, { table: 't', columns: ['k', 'v'], key: 'k', executionId: 'e1' })).to.deep.equal(expected);
    } finally {
      connection.configure('limit', LIMIT_LENGTH, 1_000_000_000);
    }
  });
});
