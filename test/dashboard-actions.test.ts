/**
 * The dashboard's actions over real HTTP: refused without the token, with a wrong one, when off,
 * with a body that is not JSON, from another origin, or on a dashboard that reads storage only;
 * with the token, cancel stops a running execution, fork re-runs a finished one, resume continues
 * one left unfinished. A token also closes every read of the API.
 */
import { expect } from 'chai';
import { createDashboard } from '../lib/dashboard/createDashboard.js';
import { deferred, forEachStore, waitUntil, whenAborted } from './support/engines.js';
import { useDashboardServer } from './support/dashboardServer.js';

const TOKEN = 'test-token-0123';

forEachStore(
  'dashboard actions',
  (ctx) => {
    const served = useDashboardServer();
    const api = served.api;
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      api(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers } });

    function publishWaiting(id: string) {
      const started = deferred();
      ctx.publish(id, (wf) =>
        wf.addTask('wait', 'Wait', async (_input: unknown, task: { signal: AbortSignal }) => {
          started.resolve();
          await whenAborted(task.signal);
          throw new Error('stopped');
        }),
      );
      return started.promise;
    }

    it('refuses actions without the token, with a wrong one, with a non-JSON body or from another origin; cancels with it', async () => {
      const started = publishWaiting('waits');
      const handle = ctx.engine.start('waits');
      await started;
      await served.serve(ctx.engine, { token: TOKEN, allowActions: true });
      const cancel = `/api/executions/${encodeURIComponent(handle.id)}/cancel`;

      const anonymous = await api(cancel, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      expect(anonymous.status).to.equal(401);
      expect(anonymous.body.error.code).to.equal('UNAUTHORIZED');
      const wrong = await post(cancel, {}, { authorization: 'Bearer nope' });
      expect(wrong.status).to.equal(401);
      expect(wrong.body.error.message).to.equal('The bearer token is wrong.');
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const form = await api(cancel, { method: 'POST', body: 'reason=x', headers: { 'content-type': type, authorization: `Bearer ${TOKEN}` } });
        expect(form.status, type).to.equal(415);
        expect(form.body.error.code).to.equal('UNSUPPORTED_MEDIA_TYPE');
      }
      const crossSite = await post(cancel, {}, { origin: 'https://evil.example' });
      expect(crossSite.status).to.equal(403);
      expect(crossSite.body.error.code).to.equal('FORBIDDEN_ORIGIN');
      expect(handle.status).to.equal('running');

      const reads = await api('/api/executions');
      expect(reads.status, 'the token closes reads too').to.equal(401);
      expect((await api('/api/executions', { headers: { authorization: `Bearer ${TOKEN}` } })).status).to.equal(200);
      expect((await fetch(`${served.url}/`)).status, 'the page shell holds no data').to.equal(200);

      const done = await post(cancel, { reason: 'stop from the dashboard' }, { origin: served.url });
      expect(done.status).to.equal(202);
      expect(done.body).to.deep.equal({ id: handle.id });
      const result = await handle.result;
      expect(result.status).to.equal('cancelled');
      expect(result.error?.message).to.equal('stop from the dashboard');
      const again = await post(cancel, {});
      expect(again.status).to.equal(409);
      expect(again.body.error.code).to.equal('NOT_RUNNING_HERE');
    });

    it('forks a finished execution and resumes an unfinished one, with the token', async () => {
      let calls = 0;
      ctx.publish('flaky', (wf) =>
        wf.addTask('a', 'A', () => 'a').addTask('b', 'B', () => {
          calls += 1;
          if (calls === 1) throw new Error('first time fails');
          return 'b';
        }).addDependency('a', 'b'),
      );
      const failed = await ctx.engine.execute('flaky');
      expect(failed.status).to.equal('failed');
      await served.serve(ctx.engine, { token: TOKEN, allowActions: true });
      const badFork = await post(`/api/executions/${encodeURIComponent(failed.id)}/fork`, { fromTask: 'zz' });
      expect(badFork.status).to.equal(400);
      expect(badFork.body.error.code).to.equal('INVALID_OPTIONS');
      const noTask = await post(`/api/executions/${encodeURIComponent(failed.id)}/fork`, {});
      expect(noTask.body.error.code).to.equal('BAD_REQUEST');
      const fork = await post(`/api/executions/${encodeURIComponent(failed.id)}/fork`, { fromTask: 'b' });
      expect(fork.status).to.equal(202);
      expect(fork.body.id).to.not.equal(failed.id);
      await waitUntil(async () => (await ctx.engine.getExecution(fork.body.id as string)).status === 'succeeded', 'the fork succeeded');
      expect((await ctx.engine.getExecution(fork.body.id as string)).tasks['b']?.status).to.equal('succeeded');

      const resumeFinished = await post(`/api/executions/${encodeURIComponent(failed.id)}/resume`, {});
      expect(resumeFinished.status).to.equal(409);
      expect(resumeFinished.body.error.code).to.equal('RESUME_ALREADY_FINISHED');

      // an execution left unfinished by an engine that closed, resumed from the dashboard
      const started = publishWaiting('left');
      const other = await ctx.openEngine();
      other.publishWorkflow(ctx.engine.getWorkflow('left')!);
      const left = other.start('left');
      await started;
      left.result.catch(() => undefined);
      await other.close();
      const resumed = await post(`/api/executions/${encodeURIComponent(left.id)}/resume`, {});
      expect(resumed.status).to.equal(202);
      expect(resumed.body.id).to.equal(left.id);
      await waitUntil(async () => (await ctx.engine.getExecution(left.id)).status === 'running' && ctx.engine.stats().activeExecutions === 1, 'it runs here');
      expect((await post(`/api/executions/${encodeURIComponent(left.id)}/cancel`, {})).status).to.equal(202);
      await waitUntil(async () => (await ctx.engine.getExecution(left.id)).status === 'cancelled', 'it was cancelled');
    });

    it('keeps actions off unless allowed, needs an engine for them, answers only allowed hosts, and refuses allowActions without a token', async () => {
      ctx.publish('one', (wf) => wf.addTask('a', 'A', () => 1));
      const result = await ctx.engine.execute('one');
      await served.serve(ctx.engine, { token: TOKEN });
      const off = await post(`/api/executions/${encodeURIComponent(result.id)}/fork`, { fromTask: 'a' });
      expect(off.status).to.equal(403);
      expect(off.body.error).to.include({ code: 'ACTIONS_DISABLED', executionId: result.id });

      await served.serve({ storage: ctx.target.url }, { token: TOKEN, allowActions: true });
      const storageOnly = await post(`/api/executions/${encodeURIComponent(result.id)}/fork`, { fromTask: 'a' });
      expect(storageOnly.status).to.equal(409);
      expect(storageOnly.body.error.code).to.equal('ACTIONS_NEED_ENGINE');

      await served.serve(ctx.engine, { allowedHosts: ['dashboard.internal:443'] });
      const wrongHost = await api('/api/executions');
      expect(wrongHost.status).to.equal(403);
      expect(wrongHost.body.error.code).to.equal('FORBIDDEN_HOST');
      expect((await fetch(`${served.url}/`)).status, 'pages too').to.equal(403);

      expect(() => createDashboard(ctx.engine, { allowActions: true })).to.throw(/actions need a token/i);
      expect(() => createDashboard(ctx.engine, { basePath: 'no-slash' })).to.throw(/basePath/);
      expect(() => createDashboard(ctx.engine, { tokn: 'x' } as never)).to.throw(/tokn.*token/s);
      expect(() => createDashboard(ctx.engine, { token: 'with space' })).to.throw(/printable ASCII/);
    });
  },
  // Actions go through the engine, whose behaviour the engine suites prove on every store.
  { only: ['sqlite'] },
);
