/**
 * sqliteLiteral: values written into SQL text for SQLite come back from SQLite exactly, whatever
 * they hold (quotes, SQL, NUL, emoji, numbers); values it cannot write are refused.
 */
import { expect } from 'chai';
import sqlite3 from 'sqlite3';
import { inlineParameters, sqliteLiteral } from '../lib/store/sequelize/sqliteLiteral.js';
import { AWKWARD_IDS } from './support/records.js';

function selectLiteral(database: sqlite3.Database, literal: string): Promise<unknown> {
  return new Promise((resolve, reject) => database.get(`SELECT ${literal} AS v`, [], (error, row: { v: unknown }) => (error ? reject(error) : resolve(row.v))));
}

describe('sqliteLiteral', () => {
  let database: sqlite3.Database;
  before(() => (database = new sqlite3.Database(':memory:')));
  after(() => new Promise<void>((resolve) => database.close(() => resolve())));

  for (const value of [...AWKWARD_IDS, '', "''", 'a\u0000b', '\u0000', '{"json":"it\'s"}', 'tab\tnew\nline', 0, -1, 42, 1.5, 1e21, 2 ** 53 - 1, null]) {
    it(`round-trips ${JSON.stringify(value)}`, async () => {
      expect(await selectLiteral(database, sqliteLiteral(value))).to.equal(value);
    });
  }

  it('writes booleans as 1 and 0, undefined as NULL', () => {
    expect([sqliteLiteral(true), sqliteLiteral(false), sqliteLiteral(undefined)]).to.deep.equal(['1', '0', 'NULL']);
  });

  for (const value of [Number.NaN, Number.POSITIVE_INFINITY, {}, [], Symbol('s'), 10n]) {
    it(`refuses ${String(value)}`, () => {
      expect(() => sqliteLiteral(value)).to.throw(TypeError);
    });
  }

  it('puts each parameter in its place, and refuses a count that does not match', async () => {
    const sql = inlineParameters('SELECT ? || ? AS v', ["it's ", '; DROP TABLE x; --']);
    expect(await new Promise((resolve) => database.get(sql, [], (_, row: { v: unknown }) => resolve(row.v)))).to.equal("it's ; DROP TABLE x; --");
    expect(() => inlineParameters('SELECT ?', [])).to.throw(/1 placeholders for 0/);
    expect(() => inlineParameters('SELECT ?, ?', ['a', 'b', 'c'])).to.throw(/2 placeholders for 3/);
  });

  it('takes a question mark inside a value as text, not as a placeholder', async () => {
    const sql = inlineParameters('SELECT ? || ? AS v', ['why?', '? and ?']);
    expect(sql).to.equal("SELECT 'why?' || '? and ?' AS v");
    expect(await new Promise((resolve) => database.get(sql, [], (_, row: { v: unknown }) => resolve(row.v)))).to.equal('why?? and ?');
  });
});
