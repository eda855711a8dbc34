/**
 * The database password never shows in `util.inspect` of an engine or a store, however deep and
 * with hidden properties shown: not from the parsed storage URL, not from Sequelize's config, not
 * from the pooled connections. Checked on a store that never connected and on a live engine
 * connected to MariaDB, and to PostgreSQL, as a user with a password, made for the test.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { expect } from 'chai';
import mysql from 'mysql2/promise';
import { createEngine } from '../lib/index.js';
import { createStore } from '../lib/store/createStore.js';
import { MYSQL_ENV, POSTGRES_ENV, dropPostgresDatabase, onPostgresServer, postgresDatabaseUrl } from './support/stores.js';

const DEEP = { depth: Infinity, showHidden: true } as const;

describe('secrets in inspectable state', function () {
  this.timeout(60_000);

  it('a MySQL store, opened or not, does not show its password', async () => {
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const store = createStore(`mysql://someone:${password}@127.0.0.1:1/nowhere`);
    expect(inspect(store, DEEP)).not.to.contain(password);
    await store.open().catch(() => undefined); // nothing listens on port 1: the connect fails
    expect(inspect(store, DEEP)).not.to.contain(password).and.not.to.contain(encodeURIComponent(password));
    expect(inspect(store)).to.contain('someone:***@127.0.0.1:1/nowhere');
    await store.close();
  });

  describe('an engine connected to MariaDB as a user with a password', () => {
    const suffix = randomBytes(5).toString('hex');
    const user = `tg_pw_${suffix}`;
    const database = `tg_test_pw_${suffix}`;
    const password = `Pw-${randomBytes(8).toString('hex')}`;
    let admin: mysql.Connection | null = null;
    let server: URL;

    before(async function () {
      const url = process.env[MYSQL_ENV];
      if (!url) this.skip();
      server = new URL(url);
      admin = await mysql.createConnection({
        host: server.hostname,
        port: Number(server.port || 3306),
        user: decodeURIComponent(server.username || 'root'),
        ...(server.password ? { password: decodeURIComponent(server.password) } : {}),
      });
      for (const host of ['%', 'localhost']) {
        await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [user, host, password]);
        await admin.query(`GRANT ALL ON \`${database}\`.* TO ?@?`, [user, host]);
      }
    });
    after(async () => {
      if (!admin) return;
      await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
      for (const host of ['%', 'localhost']) await admin.query('DROP USER IF EXISTS ?@?', [user, host]);
      await admin.end();
    });

    it('does not show the password, at any depth, after running an execution', async () => {
      const engine = await createEngine({ storage: `mysql://${user}:${password}@${server.host}/${database}`, logLevel: 'error' });
      try {
        engine.publishWorkflow(engine.createWorkflow('w').addTask('a', 'A', () => 1).build());
        expect((await engine.execute('w')).status).to.equal('succeeded'); // the pool holds live connections now
        for (const options of [{ depth: 4 }, { depth: 8 }, DEEP]) {
          expect(inspect(engine, options), JSON.stringify(options)).not.to.contain(password);
        }
      } finally {
        await engine.close();
      }
    });
  });

  describe('an engine connected to PostgreSQL as a user with a password', () => {
    const suffix = randomBytes(5).toString('hex');
    const user = `tg_pw_${suffix}`;
    const database = `tg_test_pw_${suffix}`;
    const password = `Pw-${randomBytes(8).toString('hex')}`;
    let server: string | undefined;

    before(async function () {
      server = process.env[POSTGRES_ENV];
      if (!server) this.skip();
      await onPostgresServer(server, `CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
      await onPostgresServer(server, `CREATE DATABASE ${database} OWNER ${user}`);
    });
    after(async () => {
      if (!server) return;
      await dropPostgresDatabase(server, database);
      await onPostgresServer(server, `DROP ROLE IF EXISTS ${user}`);
    });

    it('does not show the password, at any depth, after running an execution', async () => {
      const url = new URL(postgresDatabaseUrl(server!, database));
      url.username = user;
      url.password = password;
      const engine = await createEngine({ storage: url.toString(), logLevel: 'error' });
      try {
        engine.publishWorkflow(engine.createWorkflow('w').addTask('a', 'A', () => 1).build());
        expect((await engine.execute('w')).status).to.equal('succeeded'); // the pool holds live connections now
        for (const options of [{ depth: 4 }, { depth: 8 }, DEEP]) {
          expect(inspect(engine, options), JSON.stringify(options)).not.to.contain(password);
        }
      } finally {
        await engine.close();
      }
    });
  });
});
