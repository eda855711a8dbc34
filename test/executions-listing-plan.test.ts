/**
 * The executions list reads an index in order instead of sorting the table: the statements the
 * SQL store runs for `listExecutions` (all, by status, after a cursor) and `countExecutions`,
 * captured from its SQL log and run again under EXPLAIN, on SQLite and MariaDB/MySQL, with a few
 * thousand executions so that the planner has a reason to choose. (The timings at 100,000
 * executions are in bench/dashboardList.ts.)
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Sequelize } from 'sequelize';
import type { CreatedExecution } from '../lib/store/records.js';
import { SequelizeStore } from '../lib/store/sequelize/SequelizeStore.js';
import { execution } from './support/records.js';
import { emptyStorage } from './support/stores.js';
import type { EmptyStorage } from './support/stores.js';

const STATUSES = ['succeeded', 'failed', 'running', 'pending', 'cancelled'] as const;

for (const kind of ['sqlite', 'mysql'] as const) {
  describe(`executions list plans [${kind}]`, function () {
    let storage: EmptyStorage | undefined;
    let store: SequelizeStore;
    let explainer: Sequelize;
    const statements: string[] = [];

    before(async function () {
      storage = await emptyStorage(kind);
      if (!storage) this.skip();
      store = new SequelizeStore({ url: storage.url, logging: (sql) => statements.push(sql) });
      await store.open();
      for (let batch = 0; batch < 4; batch++) {
        const created: CreatedExecution[] = Array.from({ length: 1000 }, (_, i) => ({
          execution: execution(randomUUID(), { workflowId: `wf-${i % 5}`, status: STATUSES[i % 5]!, createdAt: new Date(Date.UTC(2025, 0, 1) + (batch * 1000 + i) * 1000) }),
          tasks: [],
        }));
        await store.commit({ created, transitions: [], taskRuns: [], executions: [] });
      }
      explainer = kind === 'sqlite'
        ? new Sequelize({ dialect: 'sqlite', storage: storage.url.slice('sqlite:'.length), logging: false })
        : new Sequelize(storage.url, { logging: false });
      if (kind === 'mysql') await explainer.query('ANALYZE TABLE tg_executions');
    });
    after(async () => {
      await explainer?.close();
      await store?.close();
      await storage?.cleanup();
    });

    /** The SELECT the store ran for `read`, as EXPLAIN rows. */
    async function planOf(read: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
      statements.length = 0;
      await read();
      const select = statements.map((line) => line.replace(/^Execut(?:ing|ed) \([^)]*\): /, '')).find((sql) => /^SELECT .*tg_executions/s.test(sql));
      expect(select, 'the store ran a SELECT on tg_executions').to.be.a('string');
      const [rows] = await explainer.query(`${kind === 'sqlite' ? 'EXPLAIN QUERY PLAN' : 'EXPLAIN'} ${select!}`);
      return rows as Record<string, unknown>[];
    }

    function expectIndexedOrder(plan: Record<string, unknown>[], index: string): void {
      const text = JSON.stringify(plan);
      if (kind === 'sqlite') {
        expect(text).to.contain(`INDEX ${index}`);
        expect(text).to.not.contain('TEMP B-TREE FOR ORDER BY');
      } else {
        expect(plan.map((row) => row['key'])).to.include(index);
        expect(text).to.not.contain('filesort');
      }
    }

    it('lists the newest page, a page after a cursor and a page by status in index order', async () => {
      expectIndexedOrder(await planOf(() => store.listExecutions({ limit: 51 })), 'tg_executions_created_id');
      expectIndexedOrder(await planOf(() => store.listExecutions({ limit: 51, after: { createdAt: new Date(Date.UTC(2025, 0, 1) + 2_000_000), id: 'm' } })), 'tg_executions_created_id');
      expectIndexedOrder(await planOf(() => store.listExecutions({ limit: 51, status: 'failed' })), 'tg_executions_status_created_id');
    });

    it('counts per status from an index alone', async () => {
      const all = JSON.stringify(await planOf(() => store.countExecutions({})));
      const byWorkflow = JSON.stringify(await planOf(() => store.countExecutions({ workflowId: 'wf-3' })));
      if (kind === 'sqlite') {
        expect(all).to.contain('COVERING INDEX');
        expect(byWorkflow).to.contain('COVERING INDEX tg_executions_workflow_status_created');
      } else {
        expect(all).to.contain('Using index');
        expect(byWorkflow).to.contain('tg_executions_workflow_status_created').and.to.contain('Using index');
      }
    });
  });
}
