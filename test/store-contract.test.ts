/**
 * The Store contract, run against every store: memory, a SQLite file, sqlite::memory: and (when
 * TASK_GRAPH_TEST_MYSQL and TASK_GRAPH_TEST_POSTGRES are set) MySQL/MariaDB and PostgreSQL.
 */
import { expect } from 'chai';
import { OwnershipLostError, StorageError } from '../lib/errors.js';
import type { Store } from '../lib/store/Store.js';
import type { LogRecord, SpanRecord } from '../lib/store/records.js';
import { AWKWARD_IDS, at, byTaskId, execution, taskRun, transition } from './support/records.js';
import { storeFactories } from './support/stores.js';
import type { StoreUnderTest } from './support/stores.js';
import { waitUntil } from './support/waitUntil.js';

for (const factory of storeFactories({ sqliteMemory: true })) {
  describe(`Store contract: ${factory.name}`, () => {
    let target: StoreUnderTest;
    let store: Store;

    beforeEach(async () => {
      target = await factory.create();
      store = target.store;
    });
    afterEach(async () => {
      await target.cleanup();
    });

    it('round-trips an execution, its tasks and a commit exactly', async () => {
      const tasks = [taskRun('e1', 'a'), taskRun('e1', 'b'), taskRun('e1', 'c')];
      await store.createExecution(execution('e1'), tasks);
      expect(await store.getExecution('e1')).to.deep.equal(execution('e1'));
      const graph = { description: 'a graph', tasks: [{ id: 'a', name: 'A ✓' }, { id: 'b', name: 'B' }], edges: [['a', 'b']] as [string, string][] };
      await store.createExecution(execution('e0', { graph }), [taskRun('e0', 'a')]);
      expect((await store.getExecution('e0'))?.graph).to.deep.equal(graph);
      expect(await store.getExecution('e0', { graph: false })).to.deep.equal(execution('e0', { graph: null }));

      const a = taskRun('e1', 'a', {
        status: 'succeeded',
        attempt: 2,
        output: { text: 'ok', count: 3, ratio: 0.25, negative: -7, flag: false, none: null, list: [[1], { x: 'y' }] },
        startedAt: at(1),
        finishedAt: at(999),
      });
      const b = taskRun('e1', 'b', {
        status: 'retrying',
        attempt: 1,
        output: '123',
        error: { name: 'TypeError', message: 'boom "quoted"', code: 'E_BOOM' },
        startedAt: at(2),
        nextRetryAt: at(5_000),
      });
      const c = taskRun('e1', 'c', { status: 'succeeded', attempt: 1, output: 5, startedAt: at(3), finishedAt: at(4) });
      const transitions = [
        transition('e1', 1, { taskId: null, from: null, to: 'running', event: 'execution.started' }),
        transition('e1', 2, { data: { delayMs: 250, retryAt: at(250).toISOString(), reason: 'x' } }),
        transition('e1', 3, { snapshot: null, data: { error: { name: 'Error', message: 'failed' } } }),
      ];
      const output = { a: a.output, c: 5 };
      await store.commit({
        transitions,
        taskRuns: [a, b, c],
        executions: [{ id: 'e1', status: 'succeeded', output, startedAt: at(1), finishedAt: at(1_000) }],
      });

      expect(await store.getExecution('e1')).to.deep.equal(
        execution('e1', { status: 'succeeded', output, startedAt: at(1), finishedAt: at(1_000) }),
      );
      expect((await store.listTaskRuns('e1')).sort(byTaskId)).to.deep.equal([a, b, c]);
      const stored = await store.listTransitions('e1');
      expect(stored).to.deep.equal(transitions);
      expect(stored[0]?.at.getUTCMilliseconds()).to.equal(124);
      expect(stored[0]?.at).to.be.instanceOf(Date);
      const withoutSnapshots = await store.listTransitions('e1', 1, { snapshots: false });
      expect(withoutSnapshots.map((record) => record.snapshot)).to.deep.equal([undefined, undefined]);
      expect(withoutSnapshots.map(({ snapshot: _left, ...rest }) => rest)).to.deep.equal(transitions.slice(1).map(({ snapshot: _left, ...rest }) => rest));
    });

    it('keeps JSON values of every kind, and null apart from the string "null"', async () => {
      const values: unknown[] = [null, 'null', '123', 0, -1.5, 1e21, true, false, '', [], {}, 'ünïcödé 🎉 中文', { '': [null] }];
      await store.createExecution(
        execution('json'),
        values.map((output, index) => taskRun('json', `t${String(index).padStart(2, '0')}`, { output })),
      );
      const stored = (await store.listTaskRuns('json')).sort(byTaskId);
      expect(stored.map((run) => run.output)).to.deep.equal(values);
    });

    it('stores ids, names and texts with quotes, unicode and SQL exactly', async () => {
      for (const [index, id] of AWKWARD_IDS.entries()) {
        await store.createExecution(
          execution(id, { workflowId: id, createdAt: at(index) }),
          AWKWARD_IDS.map((taskId) => taskRun(id, taskId, { output: taskId })),
        );
        await store.commit({
          transitions: [transition(id, 1, { taskId: id, event: `${id}.done`, to: id })],
          taskRuns: [],
          executions: [{ id, error: { name: id, message: id } }],
        });
        await store.writeLogs([{ executionId: id, taskId: id, attempt: 1, level: 'info', message: id, attributes: { [id]: id }, at: at(1) }]);
      }
      for (const id of AWKWARD_IDS) {
        const stored = await store.getExecution(id);
        expect(stored?.id).to.equal(id);
        expect(stored?.workflowId).to.equal(id);
        expect(stored?.error).to.deep.equal({ name: id, message: id });
        const runs = await store.listTaskRuns(id);
        expect(runs.map((run) => run.taskId).sort()).to.deep.equal([...AWKWARD_IDS].sort());
        expect(runs.every((run) => run.output === run.taskId)).to.equal(true);
        expect((await store.listTransitions(id)).map((t) => [t.taskId, t.event, t.to])).to.deep.equal([[id, `${id}.done`, id]]);
        expect((await store.listLogs(id)).map((log) => [log.message, log.attributes])).to.deep.equal([[id, { [id]: id }]]);
        expect(await store.listExecutions({ workflowId: id })).to.have.length(1);
      }
      expect(await store.getExecution('a  ')).to.equal(null);
      expect(await store.listExecutions()).to.have.length(AWKWARD_IDS.length);
    });

    it('takes a retried batch that had in fact been committed: nothing doubled, no error, the stored rows kept', async () => {
      await store.createExecution(execution('e1'), [taskRun('e1', 'a')]);
      const batch = {
        transitions: [transition('e1', 1), transition('e1', 2), transition('e1', 3)],
        taskRuns: [taskRun('e1', 'a', { status: 'running', attempt: 1 })],
        executions: [{ id: 'e1', status: 'running' as const }],
      };
      await store.commit(batch);
      await store.commit(batch); // the retry of a commit whose acknowledgement was lost
      // A later batch that overlaps what is stored: the overlap is skipped, the stored rows win.
      const overlapping = [transition('e1', 2, { event: 'a different event' }), transition('e1', 3, { to: 'failed' }), transition('e1', 4)];
      await store.commit({ ...batch, transitions: overlapping });
      expect(await store.listTransitions('e1')).to.deep.equal([...batch.transitions, transition('e1', 4)]);
      expect(await store.listTaskRuns('e1')).to.deep.equal([batch.taskRuns[0]]);
      expect((await store.getExecution('e1'))?.status).to.equal('running');
    });

    it('creates the executions of a batch in its transaction, keeps one already stored on a retry, and fences them like others', async () => {
      await store.createExecution(execution('e0', { ownerId: 'engine-a' }), [taskRun('e0', 'a')]);
      const batch = {
        ownerId: 'engine-a',
        created: [
          { execution: execution('e1', { ownerId: 'engine-a' }), tasks: [taskRun('e1', 'a'), taskRun('e1', 'b')] },
          { execution: execution('e2', { ownerId: 'engine-a' }), tasks: [taskRun('e2', 'a')] },
        ],
        transitions: [transition('e0', 1)],
        taskRuns: [taskRun('e0', 'a', { status: 'running', attempt: 1 })],
        executions: [],
      };
      await store.commit(batch);
      await store.commit(batch); // the retry of a commit whose acknowledgement was lost
      expect((await store.getExecution('e1'))?.workflowId).to.equal('wf');
      expect((await store.listTaskRuns('e1')).map((row) => [row.taskId, row.status])).to.deep.equal([['a', 'pending'], ['b', 'pending']]);
      expect(await store.listTaskRuns('e2')).to.have.length(1);
      expect((await store.listTransitions('e0')).map((t) => t.seq)).to.deep.equal([1]);
      // A batch that fails writes none of the executions it would create.
      const refused = await store
        .commit({ ownerId: 'engine-b', created: [{ execution: execution('e3', { ownerId: 'engine-b' }), tasks: [] }], transitions: [transition('e1', 1)], taskRuns: [], executions: [] })
        .then(() => null, (caught: unknown) => caught);
      expect(refused).to.be.instanceOf(OwnershipLostError);
      expect(await store.getExecution('e3')).to.equal(null);
    });

    it('returns transitions in seq order across batches and executions', async () => {
      await store.createExecution(execution('e1'), []);
      await store.createExecution(execution('e2'), []);
      for (let start = 1; start <= 12; start += 3) {
        await store.commit({
          transitions: [start, start + 1, start + 2].flatMap((seq) => [transition('e1', seq), transition('e2', seq)]),
          taskRuns: [],
          executions: [],
        });
      }
      const expected = Array.from({ length: 12 }, (_, index) => index + 1);
      expect((await store.listTransitions('e1')).map((t) => t.seq)).to.deep.equal(expected);
      expect((await store.listTransitions('e2')).map((t) => t.seq)).to.deep.equal(expected);
      expect(await store.listTransitions('unknown')).to.deep.equal([]);
    });

    it('lists the highest seq and the last transition of the supervisor and of the tasks asked for', async () => {
      await store.createExecution(execution('e1'), []);
      await store.createExecution(execution('e2'), []);
      const steps: [number, string | null][] = [[1, null], [2, 'a'], [3, 'b'], [4, 'a'], [5, null], [6, 'c'], [7, "it's"], [8, 'b'], [9, 'c']];
      await store.commit({ transitions: steps.map(([seq, taskId]) => transition('e1', seq, { taskId, to: `to${seq}` })), taskRuns: [], executions: [] });
      await store.commit({ transitions: [transition('e2', 1, { taskId: 'a' }), transition('e2', 2, { taskId: null })], taskRuns: [], executions: [] });
      const last = await store.listLastTransitions('e1', ['a', "it's", 'b', 'missing']);
      expect(last.lastSeq).to.equal(9);
      expect(last.transitions.map((t) => [t.seq, t.taskId, t.to])).to.deep.equal([[4, 'a', 'to4'], [5, null, 'to5'], [7, "it's", 'to7'], [8, 'b', 'to8']]);
      expect(last.transitions[0]).to.deep.equal((await store.listTransitions('e1'))[3]);
      expect((await store.listLastTransitions('e1', [])).transitions.map((t) => t.seq)).to.deep.equal([5]);
      // More task ids than one query takes.
      const many = [...Array.from({ length: 1200 }, (_, i) => `t${i}`), 'c'];
      expect((await store.listLastTransitions('e1', many)).transitions.map((t) => t.seq)).to.deep.equal([5, 9]);
      expect(last.formats).to.deep.equal([{ snapshotFormat: 1, machineVersion: 'task@1' }]);
      await store.commit({ transitions: [transition('e1', 10, { snapshotFormat: 2, machineVersion: 'task@4' })], taskRuns: [], executions: [] });
      const formats = (await store.listLastTransitions('e1', [])).formats.map((f) => `${f.snapshotFormat} ${f.machineVersion}`);
      expect(formats.sort()).to.deep.equal(['1 task@1', '2 task@4']);
      expect(await store.listLastTransitions('unknown', ['a'])).to.deep.equal({ lastSeq: 0, transitions: [], formats: [] });
    });

    it('keeps transitions committed out of seq order', async function () {
      await store.createExecution(execution('e1'), []);
      await store.commit({ transitions: [transition('e1', 3)], taskRuns: [], executions: [] });
      await store.commit({ transitions: [transition('e1', 1), transition('e1', 2), transition('e1', 3)], taskRuns: [], executions: [] });
      expect((await store.listTransitions('e1')).map((t) => t.seq)).to.deep.equal([1, 2, 3]);
    });

    it('takes commits from two stores on the same storage at once', async function () {
      if (!target.shared) this.skip();
      const other = await target.openAnother();
      await store.createExecution(execution('e1'), []);
      await other.createExecution(execution('e2'), []);
      const commits = (writer: Store, executionId: string) =>
        Array.from({ length: 40 }, (_, index) =>
          writer.commit({
            transitions: [transition(executionId, index + 1)],
            taskRuns: [],
            executions: [{ id: executionId, status: 'running' }],
          }),
        );
      await Promise.all([...commits(store, 'e1'), ...commits(other, 'e2')]);
      expect(await other.listTransitions('e1')).to.have.length(40);
      expect(await store.listTransitions('e2')).to.have.length(40);
    });

    it('lists executions newest first, filtered, limited and offset', async () => {
      await store.createExecution(execution('x1', { workflowId: 'w1', createdAt: at(1), status: 'succeeded' }), []);
      await store.createExecution(execution('x2', { workflowId: 'w2', createdAt: at(2), status: 'running' }), []);
      await store.createExecution(execution('x3', { workflowId: 'w1', createdAt: at(3), status: 'failed' }), []);
      await store.createExecution(execution('x4', { workflowId: 'w1', createdAt: at(3), status: 'running' }), []);
      await store.createExecution(execution('x5', { workflowId: 'W1', createdAt: at(5), status: 'pending' }), []);
      const ids = async (filter?: Parameters<Store['listExecutions']>[0]) =>
        (await store.listExecutions(filter)).map((record) => record.id);
      expect(await ids()).to.deep.equal(['x5', 'x4', 'x3', 'x2', 'x1']);
      expect(await ids({ workflowId: 'w1' })).to.deep.equal(['x4', 'x3', 'x1']);
      expect(await ids({ status: 'running' })).to.deep.equal(['x4', 'x2']);
      expect(await ids({ status: ['failed', 'succeeded'] })).to.deep.equal(['x3', 'x1']);
      expect(await ids({ status: [] })).to.deep.equal([]);
      expect(await ids({ workflowId: 'w1', status: ['running', 'succeeded'] })).to.deep.equal(['x4', 'x1']);
      expect(await ids({ limit: 2 })).to.deep.equal(['x5', 'x4']);
      expect(await ids({ limit: 2, offset: 2 })).to.deep.equal(['x3', 'x2']);
      expect(await ids({ offset: 3 })).to.deep.equal(['x2', 'x1']);
      expect(await ids({ limit: 10, offset: 10 })).to.deep.equal([]);
      expect(await ids({ workflowId: 'nope' })).to.deep.equal([]);
      expect((await store.listExecutions({ workflowId: 'w2' }))[0]).to.deep.equal(
        execution('x2', { workflowId: 'w2', createdAt: at(2), status: 'running' }),
      );
    });

    it('pages executions with a keyset cursor and filters them by creation time', async () => {
      await store.createExecution(execution('x1', { workflowId: 'w1', createdAt: at(1), status: 'succeeded' }), []);
      await store.createExecution(execution('x2', { workflowId: 'w2', createdAt: at(2), status: 'running' }), []);
      await store.createExecution(execution('x3', { workflowId: 'w1', createdAt: at(3), status: 'failed' }), []);
      await store.createExecution(execution('x4', { workflowId: 'w1', createdAt: at(3), status: 'running' }), []);
      await store.createExecution(execution('x5', { workflowId: 'w1', createdAt: at(5), status: 'pending' }), []);
      const ids = async (filter?: Parameters<Store['listExecutions']>[0]) =>
        (await store.listExecutions(filter)).map((record) => record.id);
      // x4 and x3 share a creation time: the cursor breaks the tie by id
      expect(await ids({ after: { createdAt: at(3), id: 'x4' } })).to.deep.equal(['x3', 'x2', 'x1']);
      expect(await ids({ after: { createdAt: at(3), id: 'x3' }, limit: 1 })).to.deep.equal(['x2']);
      expect(await ids({ after: { createdAt: at(5), id: 'x5' }, workflowId: 'w1', status: ['running', 'succeeded'] })).to.deep.equal(['x4', 'x1']);
      expect(await ids({ after: { createdAt: at(1), id: 'x1' } })).to.deep.equal([]);
      expect(await ids({ createdFrom: at(2), createdBefore: at(5) })).to.deep.equal(['x4', 'x3', 'x2']);
      expect(await ids({ createdFrom: at(3) })).to.deep.equal(['x5', 'x4', 'x3']);
    });

    it('counts executions per status, by workflow and creation time', async () => {
      await store.createExecution(execution('x1', { workflowId: 'w1', createdAt: at(1), status: 'succeeded' }), []);
      await store.createExecution(execution('x2', { workflowId: 'w2', createdAt: at(2), status: 'running' }), []);
      await store.createExecution(execution('x3', { workflowId: 'w1', createdAt: at(3), status: 'failed' }), []);
      await store.createExecution(execution('x4', { workflowId: 'w1', createdAt: at(4), status: 'running' }), []);
      const none = { pending: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
      expect(await store.countExecutions!()).to.deep.equal({ ...none, running: 2, succeeded: 1, failed: 1 });
      expect(await store.countExecutions!({ workflowId: 'w1' })).to.deep.equal({ ...none, running: 1, succeeded: 1, failed: 1 });
      expect(await store.countExecutions!({ createdFrom: at(2), createdBefore: at(4) })).to.deep.equal({ ...none, running: 1, failed: 1 });
      expect(await store.countExecutions!({ workflowId: 'nope' })).to.deep.equal(none);
    });

    it('lists only the transitions after a seq', async () => {
      await store.createExecution(execution('e1'), [taskRun('e1', 'a')]);
      await store.commit({ transitions: [1, 2, 3, 4].map((seq) => transition('e1', seq)), taskRuns: [], executions: [] });
      expect((await store.listTransitions('e1', 2)).map((t) => t.seq)).to.deep.equal([3, 4]);
      expect((await store.listTransitions('e1', 0)).map((t) => t.seq)).to.deep.equal([1, 2, 3, 4]);
      expect(await store.listTransitions('e1', 4)).to.deep.equal([]);
      expect(await store.listTransitions('e1', 2)).to.deep.equal([3, 4].map((seq) => transition('e1', seq)));
    });

    it('claims an execution that is free, its own, expired or forced, never a finished one; each claim moves the fencing token on', async () => {
      await store.createExecution(execution('e1'), []);
      await store.createExecution(execution('done', { status: 'succeeded' }), []);
      const LEASE = 60_000;

      expect(await store.claimExecution('e1', 'owner-1', LEASE, false)).to.equal(1);
      const claimed = await store.getExecution('e1');
      expect(claimed?.ownerId).to.equal('owner-1');
      expect(claimed?.fencingToken).to.equal(1);
      expect(claimed?.heartbeatAt).to.be.instanceOf(Date);
      const now = await store.now();
      expect(claimed!.leaseUntil!.getTime() - now.getTime()).to.be.within(LEASE - 10_000, LEASE);
      expect(await store.claimExecution('e1', 'owner-1', LEASE, false), 'own again').to.equal(2);
      expect(await store.claimExecution('e1', 'owner-2', LEASE, false), 'live owner').to.equal(null);
      expect((await store.getExecution('e1'))?.ownerId).to.equal('owner-1');

      expect(await store.claimExecution('e1', 'owner-1', 1, false), 'own, with a 1 ms lease').to.equal(3);
      await waitUntil(async () => (await store.getExecution('e1'))!.leaseUntil!.getTime() < (await store.now()).getTime(), 'the 1 ms lease ended on the store clock');
      expect(await store.claimExecution('e1', 'owner-2', LEASE, false), 'expired lease').to.equal(4);
      expect((await store.getExecution('e1'))?.ownerId).to.equal('owner-2');

      expect(await store.claimExecution('e1', 'owner-3', LEASE, false), 'live owner-2').to.equal(null);
      expect(await store.claimExecution('e1', 'owner-3', LEASE, true), 'forced').to.equal(5);
      expect((await store.getExecution('e1'))?.ownerId).to.equal('owner-3');

      expect(await store.claimExecution('done', 'owner-1', LEASE, false), 'finished').to.equal(null);
      expect(await store.claimExecution('done', 'owner-1', LEASE, true), 'finished, forced').to.equal(null);
      expect(await store.claimExecution('missing', 'owner-1', LEASE, true), 'missing').to.equal(null);
    });

    it('extends the leases of unfinished owned executions on the store clock, and releases ownership', async () => {
      await store.createExecution(execution('mine'), []);
      await store.createExecution(execution('mine-done'), []);
      await store.createExecution(execution('theirs'), []);
      await store.claimExecution('mine', 'me', 1_000, false);
      await store.claimExecution('mine-done', 'me', 1_000, false);
      await store.claimExecution('theirs', 'them', 1_000, false);
      const theirs = await store.getExecution('theirs');
      await store.commit({ transitions: [], taskRuns: [], executions: [{ id: 'mine-done', status: 'succeeded' }] });
      const done = await store.getExecution('mine-done');

      await store.heartbeat('me', 3_600_000);
      const now = (await store.now()).getTime();
      expect((await store.getExecution('mine'))!.leaseUntil!.getTime() - now).to.be.within(3_600_000 - 10_000, 3_600_000);
      expect((await store.getExecution('mine-done'))?.leaseUntil).to.deep.equal(done?.leaseUntil);
      expect((await store.getExecution('theirs'))?.leaseUntil).to.deep.equal(theirs?.leaseUntil);
      expect((await store.getExecution('theirs'))?.heartbeatAt).to.deep.equal(theirs?.heartbeatAt);

      await store.releaseOwnership('me');
      expect((await store.getExecution('mine'))?.ownerId).to.equal(null);
      expect((await store.getExecution('mine'))?.leaseUntil).to.equal(null);
      expect((await store.getExecution('mine-done'))?.ownerId).to.equal(null);
      expect((await store.getExecution('theirs'))?.ownerId).to.equal('them');
      expect(await store.claimExecution('mine', 'other', 1_000, false)).to.equal(2);

      await store.releaseOwnership('them', ['not-theirs', 'theirs']);
      expect((await store.getExecution('theirs'))?.ownerId).to.equal(null);
    });

    it('claims a batch of the executions nobody holds, oldest first, of the given workflows only', async () => {
      await store.createExecution(execution('free-1', { createdAt: at(1) }), []);
      await store.createExecution(execution('free-2', { createdAt: at(2) }), []);
      await store.createExecution(execution('free-3', { createdAt: at(3) }), []);
      await store.createExecution(execution('other-workflow', { workflowId: 'other', createdAt: at(0) }), []);
      await store.createExecution(execution('finished', { status: 'failed', createdAt: at(0) }), []);
      await store.createExecution(execution('held', { createdAt: at(0) }), []);
      await store.createExecution(execution('expired', { status: 'running', createdAt: at(4) }), []);
      await store.claimExecution('held', 'live', 60_000, false);
      await store.claimExecution('expired', 'dead', 1, false);
      await waitUntil(async () => (await store.getExecution('expired'))!.leaseUntil!.getTime() < (await store.now()).getTime(), 'the 1 ms lease ended');

      const first = await store.claimExpired('me', { leaseMs: 60_000, limit: 2, workflowIds: ['wf'] });
      expect(first).to.deep.equal([{ id: 'free-1', fencingToken: 1 }, { id: 'free-2', fencingToken: 1 }]);
      const rest = await store.claimExpired('me', { leaseMs: 60_000, limit: 10, workflowIds: ['wf'] });
      expect(rest).to.deep.equal([{ id: 'free-3', fencingToken: 1 }, { id: 'expired', fencingToken: 2 }]);
      expect((await store.getExecution('expired'))?.ownerId).to.equal('me');
      expect(await store.claimExpired('someone', { leaseMs: 60_000, limit: 10, workflowIds: ['wf'] })).to.deep.equal([]);
      expect(await store.claimExpired('someone', { leaseMs: 60_000, limit: 10, workflowIds: [] })).to.deep.equal([]);
      expect(await store.claimExpired('someone', { leaseMs: 60_000, limit: 10, workflowIds: ['other', 'wf'] })).to.deep.equal([{ id: 'other-workflow', fencingToken: 1 }]);
    });

    it('claims only executions of the workflow versions named, when versions are named', async () => {
      await store.createExecution(execution('v1', { workflowVersion: '1', createdAt: at(1) }), []);
      await store.createExecution(execution('v2', { workflowVersion: '2', createdAt: at(2) }), []);
      await store.createExecution(execution('other-v9', { workflowId: 'other', workflowVersion: '9', createdAt: at(3) }), []);
      const onlyV2 = await store.claimExpired('me', { leaseMs: 60_000, limit: 10, workflowIds: ['wf', 'other'], workflowVersions: { wf: ['2'] } });
      expect(onlyV2.map((claim) => claim.id)).to.deep.equal(['v2', 'other-v9']);
      expect((await store.getExecution('v1'))?.fencingToken, 'never claimed').to.equal(0);
      const limited = await store.claimExpired('you', { leaseMs: 60_000, limit: 10, workflowIds: ['wf'], workflowVersions: { wf: ['0', '1'] }, workflowLimits: { wf: 5 } });
      expect(limited).to.deep.equal([{ id: 'v1', fencingToken: 1 }]);
    });

    it('claims no more executions of a limited workflow than its limit leaves, counting those others hold under a live lease', async () => {
      for (let n = 1; n <= 6; n++) await store.createExecution(execution(`limited-${n}`, { createdAt: at(n) }), []);
      await store.createExecution(execution('held-live', { createdAt: at(0) }), []);
      await store.createExecution(execution('held-dead', { createdAt: at(0) }), []);
      await store.createExecution(execution('done', { status: 'succeeded', createdAt: at(0), ownerId: 'gone' }), []);
      await store.createExecution(execution('free-other', { workflowId: 'other', createdAt: at(0) }), []);
      await store.claimExecution('held-live', 'them', 60_000, false);
      await store.claimExecution('held-dead', 'dead', 1, false);
      await waitUntil(async () => (await store.getExecution('held-dead'))!.leaseUntil!.getTime() < (await store.now()).getTime(), 'the 1 ms lease ended');
      const limits = { wf: 3 };

      // held-live takes one of the 3; held-dead's lease ended, so it is free to claim (oldest first).
      const first = await store.claimExpired('me', { leaseMs: 60_000, limit: 10, workflowIds: ['wf', 'other'], workflowLimits: limits });
      expect(first.map((claim) => claim.id).sort()).to.deep.equal(['free-other', 'held-dead', 'limited-1']);
      expect(await store.claimExpired('you', { leaseMs: 60_000, limit: 10, workflowIds: ['wf'], workflowLimits: limits })).to.deep.equal([]);
      expect(await store.claimExpired('you', { leaseMs: 60_000, limit: 10, workflowIds: ['wf'], workflowLimits: { wf: 4 } })).to.deep.equal([{ id: 'limited-2', fencingToken: 1 }]);

      await store.releaseOwnership('them');
      await store.commit({ transitions: [], taskRuns: [], executions: [{ id: 'limited-1', status: 'succeeded', output: null, startedAt: at(1), finishedAt: at(2) }] });
      // Held now: held-dead (me) and limited-2 (you); released and finished executions free their room.
      const after = await store.claimExpired('me', { leaseMs: 60_000, limit: 10, workflowIds: ['wf'], workflowLimits: { wf: 5 } });
      expect(after.map((claim) => claim.id), 'room for three, the oldest first').to.deep.equal(['held-live', 'limited-3', 'limited-4']);
      expect(await store.claimExpired('me', { leaseMs: 60_000, limit: 10, workflowIds: ['wf'], workflowLimits: { wf: 5 } })).to.deep.equal([]);
    });

    it('two stores claiming executions of a limited workflow at the same moment never hold more than the limit together', async function () {
      if (!target.shared) this.skip();
      const other = await target.openAnother();
      for (let n = 0; n < 30; n++) await store.createExecution(execution(`race-${n}`, { createdAt: at(n) }), []);
      const limits = { wf: 2 };
      for (let round = 0; round < 10; round++) {
        const claims = await Promise.all(
          [store, other, store, other].map((claimer, index) => claimer.claimExpired(`engine-${index}`, { leaseMs: 60_000, limit: 5, workflowIds: ['wf'], workflowLimits: limits })),
        );
        expect(claims.flat(), `round ${round}`).to.have.length(2);
        const ids = claims.flat().map((claim) => claim.id);
        await store.commit({ transitions: [], taskRuns: [], executions: ids.map((id) => ({ id, status: 'succeeded' as const, output: null, startedAt: at(1), finishedAt: at(2) })) });
      }
    });

    it('refuses a commit under a fencing token a later claim replaced, even from the same owner id, writing nothing', async () => {
      await store.createExecution(execution('e1', { status: 'running' }), [taskRun('e1', 'a')]);
      const token = await store.claimExecution('e1', 'engine-a', 60_000, false);
      await store.commit({ ownerId: 'engine-a', fencingTokens: { e1: token! }, transitions: [transition('e1', 1)], taskRuns: [], executions: [] });
      expect(await store.claimExecution('e1', 'engine-a', 60_000, true)).to.equal(token! + 1);
      const error = await store
        .commit({ ownerId: 'engine-a', fencingTokens: { e1: token! }, transitions: [transition('e1', 2)], taskRuns: [taskRun('e1', 'a', { status: 'running' })], executions: [] })
        .then(() => null, (caught: unknown) => caught);
      expect(error).to.be.instanceOf(OwnershipLostError);
      expect((error as OwnershipLostError).executionIds).to.deep.equal(['e1']);
      expect((await store.listTransitions('e1')).map((t) => t.seq)).to.deep.equal([1]);
      expect((await store.listTaskRuns('e1'))[0]?.status).to.equal('pending');
      await store.commit({ ownerId: 'engine-a', fencingTokens: { e1: token! + 1 }, transitions: [transition('e1', 2)], taskRuns: [], executions: [] });
      expect((await store.listTransitions('e1')).map((t) => t.seq)).to.deep.equal([1, 2]);
    });

    it('gives the executions a commit creates the lease of the batch, on the store clock', async () => {
      await store.commit({
        ownerId: 'engine-a',
        leaseMs: 3_600_000,
        fencingTokens: { n1: 1 },
        created: [{ execution: execution('n1', { ownerId: 'engine-a', fencingToken: 1 }), tasks: [taskRun('n1', 'a')] }],
        transitions: [transition('n1', 1)],
        taskRuns: [],
        executions: [],
      });
      const stored = await store.getExecution('n1');
      expect(stored?.fencingToken).to.equal(1);
      expect(stored!.leaseUntil!.getTime() - (await store.now()).getTime()).to.be.within(3_600_000 - 10_000, 3_600_000);
      expect(await store.claimExecution('n1', 'engine-b', 1_000, false), 'held by its creator').to.equal(null);
    });

    it('round-trips logs in insertion order and spans by start time', async () => {
      await store.createExecution(execution('e1'), []);
      const logs: LogRecord[] = Array.from({ length: 5 }, (_, index) => ({
        executionId: 'e1',
        taskId: index === 0 ? null : 'a',
        attempt: index === 0 ? null : index,
        level: index % 2 ? 'warn' : 'info',
        message: `message ${index} ${'x'.repeat(index * 1000)}`,
        attributes: index === 0 ? {} : { index, nested: { at: at(index).toISOString() }, list: [null] },
        at: at(10 - index),
      }));
      await store.writeLogs(logs.slice(0, 2));
      await store.writeLogs(logs.slice(2));
      expect(await store.listLogs('e1')).to.deep.equal(logs);

      const span = (spanId: string, startedAt: Date, overrides: Partial<SpanRecord> = {}): SpanRecord => ({
        spanId,
        parentSpanId: 'root',
        executionId: 'e1',
        taskId: 'a',
        attempt: 1,
        name: `task a ${spanId}`,
        status: 'ok',
        startedAt,
        finishedAt: new Date(startedAt.getTime() + 7),
        attributes: { 'task.id': 'a', retries: 0 },
        ...overrides,
      });
      const root = span('root', at(0), { parentSpanId: null, taskId: null, attempt: null, name: 'execution', attributes: {} });
      const spans = [span('s2', at(5)), span('s1', at(5)), root, span('s3', at(2), { status: 'error' })];
      await store.writeSpans(spans);
      const bySpanId = (a: SpanRecord, b: SpanRecord) => (a.spanId < b.spanId ? -1 : 1);
      const storedSpans = await store.listSpans('e1');
      expect([...storedSpans].sort(bySpanId)).to.deep.equal([...spans].sort(bySpanId));
      // Spans are listed by start time, then span id.
      expect(storedSpans).to.deep.equal([root, spans[3], spans[1], spans[0]]);
      expect(await store.listLogs('other')).to.deep.equal([]);
      expect(await store.listSpans('other')).to.deep.equal([]);
    });

    it('shows committed data to a second store on the same storage', async function () {
      if (!target.shared) this.skip();
      await store.createExecution(execution('e1'), [taskRun('e1', 'a')]);
      await store.commit({
        transitions: [transition('e1', 1)],
        taskRuns: [taskRun('e1', 'a', { status: 'running', attempt: 1, startedAt: at(1) })],
        executions: [{ id: 'e1', status: 'running', startedAt: at(1) }],
      });
      const other = await target.openAnother();
      expect(await other.getExecution('e1')).to.deep.equal(await store.getExecution('e1'));
      expect(await other.listTransitions('e1')).to.deep.equal([transition('e1', 1)]);
      expect(await other.listTaskRuns('e1')).to.deep.equal(await store.listTaskRuns('e1'));
      expect(await other.claimExecution('e1', 'other', 60_000, false)).to.equal(1);
      expect(await store.claimExecution('e1', 'first', 60_000, false)).to.equal(null);
    });

    it('commits a batch of 2,000 transitions and task rows', async () => {
      const taskIds = Array.from({ length: 2_000 }, (_, index) => `task-${index}`);
      await store.createExecution(execution('big'), taskIds.map((taskId) => taskRun('big', taskId)));
      const snapshot = { context: { payload: 'p'.repeat(2_000), list: Array.from({ length: 50 }, (_, i) => i) } };
      const transitions = taskIds.map((taskId, index) => transition('big', index + 1, { taskId, snapshot }));
      await store.commit({
        transitions,
        taskRuns: taskIds.map((taskId) => taskRun('big', taskId, { status: 'succeeded', attempt: 1, output: taskId })),
        executions: [{ id: 'big', status: 'succeeded', finishedAt: at(1) }],
      });
      await store.commit({ transitions, taskRuns: [], executions: [] });
      const stored = await store.listTransitions('big');
      expect(stored).to.have.length(2_000);
      expect(stored.map((t) => t.seq)).to.deep.equal(transitions.map((t) => t.seq));
      expect(stored[1_999]).to.deep.equal(transitions[1_999]);
      const runs = await store.listTaskRuns('big');
      expect(runs.filter((run) => run.status === 'succeeded')).to.have.length(2_000);
    });

    it('refuses a second execution with the same id', async () => {
      await store.createExecution(execution('e1'), []);
      const error = await store.createExecution(execution('e1'), []).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error).to.be.instanceOf(Error);
      expect(error).to.be.instanceOf(StorageError);
    });

    it('refuses a batch from an engine that no longer owns the execution (fencing), writing nothing', async () => {
      await store.createExecution(execution('e1', { ownerId: 'engine-a', status: 'running' }), [taskRun('e1', 'a')]);
      await store.createExecution(execution('e2', { ownerId: 'engine-a', status: 'running' }), [taskRun('e2', 'a')]);
      await store.commit({ ownerId: 'engine-a', transitions: [transition('e1', 1)], taskRuns: [], executions: [] });
      expect(await store.claimExecution('e1', 'engine-b', 60_000, true)).to.equal(1);
      const error = await store
        .commit({ ownerId: 'engine-a', transitions: [transition('e1', 2), transition('e2', 1)], taskRuns: [taskRun('e1', 'a', { status: 'running' })], executions: [] })
        .then(() => null, (caught: unknown) => caught);
      expect(error).to.be.instanceOf(OwnershipLostError);
      expect((error as OwnershipLostError).executionIds).to.deep.equal(['e1']);
      expect((await store.listTransitions('e1')).map((t) => t.seq)).to.deep.equal([1]);
      expect(await store.listTransitions('e2')).to.deep.equal([]);
      expect((await store.listTaskRuns('e1'))[0]?.status).to.equal('pending');
      await store.commit({ ownerId: 'engine-b', transitions: [transition('e1', 2)], taskRuns: [], executions: [] });
      expect((await store.listTransitions('e1')).map((t) => t.seq)).to.deep.equal([1, 2]);
    });

    it('commits in one batch the transitions of 1,200 executions held under fencing tokens, and refuses it whole when one token moved on', async () => {
      const ids = Array.from({ length: 1200 }, (_, i) => `e${i}`);
      await store.commit({ created: ids.map((id) => ({ execution: execution(id, { ownerId: 'engine-a', fencingToken: 1 }), tasks: [] })), transitions: [], taskRuns: [], executions: [] });
      const tokens = Object.fromEntries(ids.map((id) => [id, 1]));
      await store.commit({ ownerId: 'engine-a', fencingTokens: tokens, transitions: ids.map((id) => transition(id, 1)), taskRuns: [], executions: [] });
      expect((await store.listTransitions('e1199')).map((t) => t.seq)).to.deep.equal([1]);
      const error = await store
        .commit({ ownerId: 'engine-a', fencingTokens: { ...tokens, e600: 2 }, transitions: ids.map((id) => transition(id, 2)), taskRuns: [], executions: [] })
        .then(() => null, (caught: unknown) => caught);
      expect(error).to.be.instanceOf(OwnershipLostError);
      expect((error as OwnershipLostError).executionIds).to.deep.equal(['e600']);
      expect((await store.listTransitions('e0')).map((t) => t.seq)).to.deep.equal([1]);
    });

    it('writes nothing of a batch that fails, and says why with a StorageError', async function () {
      await store.createExecution(execution('e1'), [taskRun('e1', 'a')]);
      const error = await store
        .commit({
          transitions: [transition('e1', 1)],
          taskRuns: [taskRun('e1', 'a', { status: 'running' })],
          executions: [{ id: 'e1', status: 'running' }, { id: 'missing', status: 'running' }],
        })
        .then(
          () => null,
          (caught: unknown) => caught,
        );
      expect(error).to.be.instanceOf(StorageError);
      expect(String((error as Error).message)).to.contain('missing');
      expect(await store.listTransitions('e1')).to.deep.equal([]);
      expect((await store.getExecution('e1'))?.status).to.equal('pending');
      expect((await store.listTaskRuns('e1'))[0]?.status).to.equal('pending');
    });
  });
}
