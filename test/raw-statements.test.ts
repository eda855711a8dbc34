import { expect } from 'chai';
import { insertStatement, sqlValue } from '../lib/store/sequelize/rawStatements.js';

describe('raw statements: values as the drivers take them', () => {
  it('writes each date as Sequelize does for DATE(3), the same whether formatted before or not', () => {
    const base = Date.UTC(2026, 10, 28, 8, 56, 7, 851);
    // More distinct dates than the formatter keeps, each written twice, out of order.
    const times = Array.from({ length: 600 }, (_, i) => base + ((i * 7919) % 300) * 1_001);
    for (const time of times) {
      const iso = new Date(time).toISOString();
      const expected = `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
      expect(sqlValue(new Date(time), 'sqlite')).to.equal(`${expected} +00:00`);
      expect(sqlValue(new Date(time), 'postgres')).to.equal(`${expected} +00:00`);
      expect(sqlValue(new Date(time), 'mysql')).to.equal(expected);
    }
  });

  it('leaves other values to the driver', () => {
    expect(sqlValue('2026-11-28', 'sqlite')).to.equal('2026-11-28');
    expect(sqlValue(3, 'mysql')).to.equal(3);
    expect(sqlValue(null, 'postgres')).to.equal(null);
  });

  it('builds one multi-row INSERT with a parameter per value', () => {
    const insert = { table: 'tg_x', columns: ['a', 'b'], onConflict: 'keep' as const };
    const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6));
    const { sql, params } = insertStatement(insert, [[1, at], [2, null]], 'sqlite');
    expect(sql).to.equal('INSERT INTO `tg_x` (`a`,`b`) VALUES (?,?),(?,?) ON CONFLICT DO NOTHING');
    expect(params).to.deep.equal([1, '2026-01-02 03:04:05.006 +00:00', 2, null]);
  });
});
