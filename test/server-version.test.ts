/**
 * Servers too old for the store are refused when it opens, naming the version found and the one
 * needed: MySQL before 8.0.1, MariaDB before 10.6, PostgreSQL before 9.5 (SKIP LOCKED). The
 * version texts are those the servers report; the servers this suite runs on are accepted.
 */
import { expect } from 'chai';
import { StorageError } from '../lib/errors.js';
import { assertServerSupported, parseMysqlVersion, parsePostgresVersion } from '../lib/store/sequelize/checkServerVersion.js';
import type { ServerVersion } from '../lib/store/sequelize/checkServerVersion.js';
import { storeFactories } from './support/stores.js';
import type { StoreUnderTest } from './support/stores.js';

function refusal(version: ServerVersion): StorageError | null {
  try {
    assertServerSupported(version, 'db.example:3306');
    return null;
  } catch (error) {
    expect(error).to.be.instanceOf(StorageError);
    return error as StorageError;
  }
}

describe('server versions', () => {
  const refused: Array<[ServerVersion, string]> = [
    [parseMysqlVersion('5.7.44-log'), 'MySQL 8.0.1'],
    [parseMysqlVersion('8.0.0-dmr'), 'MySQL 8.0.1'],
    [parseMysqlVersion('10.5.23-MariaDB-1:10.5.23+maria~deb11'), 'MariaDB 10.6'],
    [parseMysqlVersion('5.5.5-10.4.32-MariaDB'), 'MariaDB 10.6'],
    [parsePostgresVersion('9.4.26', '90426'), 'PostgreSQL 9.5'],
  ];
  for (const [version, needed] of refused) {
    it(`refuses ${version.product} ${version.text}, naming it and ${needed}`, () => {
      const error = refusal(version);
      expect(error?.code).to.equal('SERVER_TOO_OLD');
      expect(error?.message).to.contain(`version ${version.text}`).and.to.contain(`needs ${needed} or later`).and.to.contain('db.example:3306');
    });
  }

  const accepted = [
    parseMysqlVersion('8.0.1'),
    parseMysqlVersion('8.4.3'),
    parseMysqlVersion('10.6.0-MariaDB'),
    parseMysqlVersion('10.11.6-MariaDB-0+deb12u1'),
    parseMysqlVersion('5.5.5-11.4.2-MariaDB'),
    parsePostgresVersion('9.5.0', '90500'),
    parsePostgresVersion('15.20 (Debian 15.20-0+deb12u1)', '150020'),
  ];
  for (const version of accepted) {
    it(`accepts ${version.product} ${version.text}`, () => {
      expect(refusal(version)).to.equal(null);
    });
  }

  it('reads the parts of each form', () => {
    expect(parseMysqlVersion('5.5.5-10.4.32-MariaDB').parts).to.deep.equal([10, 4, 32]);
    expect(parsePostgresVersion('9.4.26', '90426').parts).to.deep.equal([9, 4, 26]);
    expect(parsePostgresVersion('15.20', '150020').parts).to.deep.equal([15, 20, 0]);
  });

  for (const factory of storeFactories().filter((candidate) => candidate.name === 'mysql' || candidate.name === 'postgres')) {
    it(`opens a store on this ${factory.name} server`, async () => {
      let target: StoreUnderTest | null = null;
      try {
        target = await factory.create();
        expect(await target.store.listExecutions()).to.deep.equal([]);
      } finally {
        await target?.cleanup();
      }
    });
  }
});
