/**
 * The Store contract of `pruneExecutions`, run like store-contract.test.ts against every store:
 * memory, a SQLite file, sqlite::memory: and (when their variables are set) MySQL/MariaDB and PostgreSQL.
 */
import { expect } from 'chai';
import type { Store } from '../lib/store/Store.js';
import type { ExecutionRecord, ExecutionStatus, LogRecord, SpanRecord } from '../lib/store/records.js';
import { AWKWARD_IDS, at, execution, taskRun, transition } from './support/records.js';
import { storeFactories } from './support/stores.js';
import type { StoreUnderTest } from './support/stores.js';

const ALL_STATUSES: ExecutionStatus[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled'];

for (const factory of storeFactories({ sqliteMemory: true })) {
  describe(`Store contract, pruneExecutions: ${factory.name}`, () => {
    let target: StoreUnderTest;
    let store: Store;

    beforeEach(async () => {
      target = await factory.create();
      store = target.store;
    });
    afterEach(async () => {
      await target.cleanup();
    });

    /** An execution with `tasks` task rows, one transition per task, a log and a span per task. */
    async function createFull(id: string, overrides: Partial<ExecutionRecord> = {}, tasks = 2): Promise<void> {
      const taskIds = Array.from({ length: tasks }, (_, index) => `t${index}`);
      await store.createExecution(execution(id, overrides), taskIds.map((taskId) => taskRun(id, taskId)));
      await store.commit({ transitions: taskIds.map((taskId, index) => transition(id, index + 1, { taskId })), taskRuns: [], executions: [] });
      await store.writeLogs(taskIds.map((taskId): LogRecord => ({ executionId: id, taskId, attempt: 1, level: 'info', message: `${taskId} ran`, attributes: {}, at: at(1) })));
      await store.writeSpans(taskIds.map((taskId): SpanRecord => span(id, taskId)));
    }

    /** Everything the store holds of an execution, to compare before and after a prune. */
    async function contents(id: string) {
      return {
        execution: await store.getExecution(id),
        taskRuns: await store.listTaskRuns(id),
        transitions: await store.listTransitions(id),
        logs: await store.listLogs(id),
        spans: await store.listSpans(id),
      };
    }

    const gone = { execution: null, taskRuns: [], transitions: [], logs: [], spans: [] };

    it('deletes only finished executions that finished before the cutoff, with every row they own', async () => {
      const finished = (status: ExecutionStatus, finishedAt: Date) => ({ status, startedAt: at(0), finishedAt });
      await createFull('old-succeeded', finished('succeeded', at(100)));
      await createFull('old-failed', finished('failed', at(200)));
      await createFull('old-cancelled', finished('cancelled', at(300)));
      await createFull('at-cutoff', finished('succeeded', at(1_000)));
      await createFull('recent', finished('succeeded', at(5_000)));
      await createFull('running', { status: 'running', startedAt: at(0) });
      await createFull('pending');
      await createFull('finished-without-time', { status: 'failed' }); // no finishedAt: never matches
      const kept = ['at-cutoff', 'recent', 'running', 'pending', 'finished-without-time'];
      const before = new Map(await Promise.all(kept.map(async (id) => [id, await contents(id)] as const)));

      // Asked for every status: the unfinished ones are still never deleted.
      expect(await store.pruneExecutions({ statuses: ALL_STATUSES, finishedBefore: at(1_000) })).to.equal(3);

      for (const id of ['old-succeeded', 'old-failed', 'old-cancelled']) expect(await contents(id), id).to.deep.equal(gone);
      for (const id of kept) expect(await contents(id), id).to.deep.equal(before.get(id));
      expect((await store.listExecutions()).map((record) => record.id).sort()).to.deep.equal([...kept].sort());
      expect(await store.pruneExecutions({ statuses: ALL_STATUSES, finishedBefore: at(1_000) }), 'nothing left to delete').to.equal(0);
    });

    it('deletes only the statuses asked for, and nothing when none of them is finished', async () => {
      for (const [index, status] of (['succeeded', 'failed', 'cancelled'] as const).entries()) {
        await createFull(`e-${status}`, { status, finishedAt: at(index) });
      }
      expect(await store.pruneExecutions({ statuses: ['running', 'pending'] })).to.equal(0);
      expect(await store.pruneExecutions({ statuses: [] })).to.equal(0);
      expect(await store.pruneExecutions({ statuses: ['failed', 'cancelled'], finishedBefore: at(10) })).to.equal(2);
      expect((await store.listExecutions()).map((record) => record.id)).to.deep.equal(['e-succeeded']);
    });

    it('keeps the most recently finished of the matching executions (keepNewest)', async () => {
      for (let index = 0; index < 7; index++) await createFull(`e${index}`, { status: 'succeeded', finishedAt: at(index * 10) });
      await createFull('tie-a', { status: 'failed', finishedAt: at(60) }); // ties e6: ids descending decide
      await createFull('running', { status: 'running' });
      expect(await store.pruneExecutions({ statuses: ALL_STATUSES, keepNewest: 3 })).to.equal(5);
      expect((await store.listExecutions()).map((record) => record.id).sort()).to.deep.equal(['e5', 'e6', 'running', 'tie-a']);
      expect(await store.pruneExecutions({ statuses: ['succeeded'], keepNewest: 1, finishedBefore: at(60) })).to.equal(0);
      expect(await store.pruneExecutions({ statuses: ['succeeded'], keepNewest: 0, finishedBefore: at(60) })).to.equal(1);
      expect((await store.listExecutions()).map((record) => record.id).sort()).to.deep.equal(['e6', 'running', 'tie-a']);
    });

    it('deletes more executions than one batch, and more rows than one row batch', async () => {
      for (let index = 0; index < 23; index++) await createFull(`e${String(index).padStart(2, '0')}`, { status: 'succeeded', finishedAt: at(index) });
      await createFull('wide', { status: 'failed', finishedAt: at(50) }, 30);
      await createFull('running', { status: 'running' }, 30);
      const running = await contents('running');
      expect(await store.pruneExecutions({ statuses: ['succeeded', 'failed'], batchSize: 5, rowBatchSize: 7 })).to.equal(24);
      expect(await contents('wide')).to.deep.equal(gone);
      expect(await contents('e00')).to.deep.equal(gone);
      expect(await contents('running')).to.deep.equal(running);
      expect((await store.listExecutions()).map((record) => record.id)).to.deep.equal(['running']);
    });

    it('deletes executions whose ids a careless store would mangle, and only those', async () => {
      for (const [index, id] of AWKWARD_IDS.entries()) await createFull(id, { status: index % 2 ? 'succeeded' : 'running', finishedAt: index % 2 ? at(index) : null });
      const finished = AWKWARD_IDS.filter((_, index) => index % 2);
      const unfinished = AWKWARD_IDS.filter((_, index) => index % 2 === 0);
      expect(await store.pruneExecutions({ statuses: ['succeeded'] })).to.equal(finished.length);
      for (const id of finished) expect(await contents(id)).to.deep.equal(gone);
      for (const id of unfinished) expect((await contents(id)).transitions, id).to.have.length(2);
    });

    it('lets other writes in between its batches', async function () {
      // On MySQL and PostgreSQL commits run on other pooled connections whatever the prune does,
      // so their order says nothing there; on the memory store and SQLite one operation runs at a
      // time, and a commit sent during a prune must not wait for the whole of it.
      if (target.name === 'mysql' || target.name === 'postgres') this.skip();
      for (let index = 0; index < 20; index++) await createFull(`old${String(index).padStart(2, '0')}`, { status: 'succeeded', finishedAt: at(index) });
      await store.createExecution(execution('live', { status: 'running' }), [taskRun('live', 'a')]);
      const order: string[] = [];
      const prune = store.pruneExecutions({ statuses: ['succeeded'], batchSize: 2 }).then((deleted) => order.push(`prune ${deleted}`));
      // Once the prune's first batch is gone, a commit of a live execution is sent.
      for (let checks = 0; (await store.listExecutions({ status: 'succeeded' })).length === 20; checks++) {
        if (checks > 10_000) throw new Error('the prune never deleted its first batch');
        await new Promise((resolve) => setImmediate(resolve));
      }
      await store.commit({ transitions: [transition('live', 1)], taskRuns: [], executions: [] });
      order.push('commit');
      await prune;
      expect(order).to.deep.equal(['commit', 'prune 20']);
      expect(await store.listTransitions('live')).to.have.length(1);
    });

    it('stops before its next batch when its signal aborts, deleting whole executions only', async () => {
      for (let index = 0; index < 6; index++) await createFull(`e${index}`, { status: 'succeeded', finishedAt: at(index) });
      const aborted = new AbortController();
      aborted.abort();
      expect(await store.pruneExecutions({ statuses: ['succeeded'], signal: aborted.signal })).to.equal(0);
      expect(await store.listExecutions()).to.have.length(6);

      const stop = new AbortController();
      const prune = store.pruneExecutions({ statuses: ['succeeded'], batchSize: 1, signal: stop.signal });
      stop.abort();
      const deleted = await prune;
      const left = (await store.listExecutions()).map((record) => record.id);
      expect(deleted).to.be.lessThan(6);
      expect(left).to.have.length(6 - deleted);
      // What is left is whole: a batch is deleted entirely or not at all.
      for (const id of left) expect((await contents(id)).transitions, id).to.have.length(2);
    });

    it('refuses criteria it cannot follow', async () => {
      for (const criteria of [{ batchSize: 0 }, { rowBatchSize: 1.5 }, { keepNewest: -1 }, { finishedBefore: new Date(Number.NaN) }]) {
        const error = await store.pruneExecutions({ statuses: ['succeeded'], ...criteria }).then(() => null, (caught: unknown) => caught);
        expect(error, JSON.stringify(criteria)).to.be.instanceOf(Error).with.property('code', 'INVALID_OPTIONS');
      }
    });
  });
}

function span(executionId: string, taskId: string): SpanRecord {
  return {
    spanId: `${executionId}/${taskId}`,
    parentSpanId: null,
    executionId,
    taskId,
    attempt: 1,
    name: taskId,
    status: 'ok',
    startedAt: at(1),
    finishedAt: at(2),
    attributes: {},
  };
}
