/**
 * The dashboard's JSON API over real HTTP, on SQLite and MariaDB/MySQL: the executions list
 * (filters, keyset paging, counts), an execution as getExecution reports it, its transitions
 * after a seq, replay steps equal to engine.replay(), logs, spans, the laid-out graph, the event
 * stream of a run in progress read through another store (as another process would), errors as
 * JSON with the engine's code, hostile ids, and the mounts (node:http handler, Fastify plugin).
 */
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { createDashboard } from '../lib/dashboard/createDashboard.js';
import { deferred, forEachStore } from './support/engines.js';
import { readEvents, requestJson, useDashboardServer } from './support/dashboardServer.js';
import { HOSTILE_ID, runMixed } from './support/inspectScenarios.js';

/** A value as it comes back through JSON (dates as strings, undefined fields gone). */
function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

forEachStore(
  'dashboard API',
  (ctx) => {
    const served = useDashboardServer();
    const api = served.api;

    it('lists executions newest first, filtered by workflow and status, paged by cursor, with counts', async () => {
      ctx.publish('ok', (wf) => wf.addTask('a', 'A', () => 1));
      ctx.publish('bad', (wf) => wf.addTask('a', 'A', () => { throw new Error('no'); }));
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await ctx.engine.execute('ok')).id);
      const failed = await ctx.engine.execute('bad');
      await served.serve(ctx.engine);

      const all = await api('/api/executions');
      expect(all.status).to.equal(200);
      expect(all.body.executions.map((e: { id: string }) => e.id)).to.deep.equal((await ctx.engine.listExecutions()).map((e) => e.id));
      expect(all.body.counts).to.deep.equal({ pending: 0, running: 0, succeeded: 5, failed: 1, cancelled: 0 });
      expect(all.body.nextCursor).to.equal(null);
      expect(all.body.executions[0]).to.include({ workflowId: 'bad', status: 'failed', taskCount: 1 });
      expect(all.body.executions[0].error.message).to.be.a('string');
      expect(all.body.executions[0]).to.not.have.property('graph');

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof api>> = await api(`/api/executions?workflow=ok&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(page.body.executions.length).to.be.at.most(2);
        seen.push(...page.body.executions.map((e: { id: string }) => e.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).to.deep.equal((await ctx.engine.listExecutions({ workflowId: 'ok' })).map((e) => e.id));
      expect(new Set(seen)).to.deep.equal(new Set(ids));

      const byStatus = await api('/api/executions?status=failed,cancelled');
      expect(byStatus.body.executions.map((e: { id: string }) => e.id)).to.deep.equal([failed.id]);
      const workflowCounts = await api('/api/executions?workflow=bad');
      expect(workflowCounts.body.counts).to.deep.include({ succeeded: 0, failed: 1 });
      const future = await api(`/api/executions?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
      expect(future.body.executions).to.deep.equal([]);
      expect(future.body.counts.succeeded).to.equal(0);

      const badStatus = await api('/api/executions?status=done');
      expect(badStatus.status).to.equal(400);
      expect(badStatus.body.error.code).to.equal('BAD_REQUEST');
      expect(badStatus.body.error.message).to.contain('"done"');
      expect((await api('/api/executions?cursor=nonsense')).body.error.code).to.equal('BAD_REQUEST');
      expect((await api('/api/executions?limit=0')).status).to.equal(400);
    });

    it('serves an execution (errors with their stacks), its transitions after a seq, replay steps, logs, resumes, spans and graph, for a hostile task id', async () => {
      const { result } = await runMixed(ctx);
      await served.serve(ctx.engine);
      const base = `/api/executions/${encodeURIComponent(result.id)}`;

      const execution = await api(base);
      expect(execution.status).to.equal(200);
      expect(execution.body).to.deep.equal(asJson(await ctx.engine.getExecution(result.id)));
      expect(execution.body.tasks[HOSTILE_ID].status).to.equal('succeeded');
      expect(execution.body.tasks['transform'].error.stack, "the failed task's error with its stack").to.match(/^Error: transform is broken\n\s+at /);

      const transitions = await ctx.engine.listTransitions(result.id);
      const all = await api(`${base}/transitions`);
      expect(all.body.transitions.map((t: { seq: number }) => t.seq)).to.deep.equal(transitions.map((t) => t.seq));
      expect(all.body.transitions[0]).to.not.have.property('snapshot');
      const tail = await api(`${base}/transitions?afterSeq=5`);
      expect(tail.body.transitions).to.deep.equal(asJson(transitions.slice(5).map(({ snapshot: _s, ...rest }) => rest)));
      const withSnapshots = await api(`${base}/transitions?afterSeq=${transitions.length - 1}&snapshots=true`);
      expect(withSnapshots.body.transitions).to.deep.equal(asJson(transitions.slice(-1)));

      const steps = await ctx.engine.replay(result.id);
      for (let k = 0; k < steps.length; k++) {
        const step = await api(`${base}/replay?step=${k}`);
        expect(step.body, `step ${k}`).to.deep.include({ step: k, steps: steps.length, seq: steps[k]!.seq });
        expect(step.body.state, `step ${k}`).to.deep.equal(asJson(steps[k]!.state));
      }
      expect((await api(`${base}/replay`)).body.step).to.equal(steps.length - 1);
      const outOfRange = await api(`${base}/replay?step=${steps.length}`);
      expect(outOfRange.status).to.equal(400);
      expect(outOfRange.body.error.message).to.contain(`to ${steps.length - 1}`);

      const logs = await api(`${base}/logs`);
      expect(logs.body.logs).to.deep.equal(asJson(await ctx.engine.listLogs(result.id)));
      expect((await api(`${base}/resumes`)).body).to.deep.equal({ resumes: [] });
      const spans = await api(`${base}/spans?taskId=extract`);
      expect(spans.body.spans.map((s: { attempt: number }) => s.attempt).sort()).to.deep.equal([1, 2, 3]);

      const graph = await api(`${base}/graph`);
      expect(graph.body.layout).to.equal('dagre');
      expect(graph.body.nodes.map((n: { id: string }) => n.id).sort()).to.deep.equal(Object.keys(result.tasks).sort());
      expect(graph.body.edges.map((e: { from: string; to: string }) => `${e.from}→${e.to}`)).to.include(`extract→${HOSTILE_ID}`);
      for (const node of graph.body.nodes) expect(node.width).to.be.greaterThan(0);
    });

    it('answers errors as JSON with the engine code, for unknown and hostile ids', async () => {
      await served.serve(ctx.engine);
      for (const id of [HOSTILE_ID, `' OR 1=1; DROP TABLE tg_executions; --`, 'a/b', '"quoted"']) {
        for (const suffix of ['', '/transitions', '/replay', '/logs', '/spans', '/graph', '/events']) {
          const response = await api(`/api/executions/${encodeURIComponent(id)}${suffix}`);
          expect(response.status, `${id}${suffix}`).to.equal(404);
          expect(response.headers.get('content-type')).to.match(/^application\/json/);
          expect(response.body.error).to.deep.equal({ code: 'EXECUTION_NOT_FOUND', message: `No execution ${JSON.stringify(id)} exists in this store.`, executionId: id });
        }
      }
      const unknownRoute = await api('/api/nothing');
      expect(unknownRoute.status).to.equal(404);
      expect(unknownRoute.body.error.code).to.equal('NOT_FOUND');
      expect((await api('/api/executions')).body.executions).to.deep.equal([]);
    });

    it("streams a run's transitions as they are committed, read by a dashboard on the storage alone", async () => {
      const release = deferred();
      ctx.publish('waits', (wf) => wf.addTask('first', 'First', () => 1).addTask('hold', 'Hold', () => release.promise).addTask('after', 'After', () => 2).addDependency('hold', 'after'));
      const handle = ctx.engine.start('waits');
      // a second store on the same data, as `task-graph serve` in another process has
      await served.serve({ storage: ctx.target.url });
      const url = `${served.url}/api/executions/${encodeURIComponent(handle.id)}/events`;
      let released = false;
      const events = await readEvents(url, (received) => {
        const seqs = received.filter((e) => e.event === 'transitions').flatMap((e) => JSON.parse(e.data) as { taskId: string | null; to: string }[]);
        if (!released && seqs.some((t) => t.taskId === 'hold' && t.to === 'running')) {
          released = true;
          release.resolve();
        }
        return received.some((e) => e.event === 'finished');
      });
      await handle.result;
      const streamed = events.filter((e) => e.event === 'transitions').flatMap((e) => JSON.parse(e.data) as { seq: number }[]);
      const recorded = await ctx.engine.listTransitions(handle.id);
      expect(streamed.map((t) => t.seq)).to.deep.equal(recorded.map((t) => t.seq));
      expect(events.filter((e) => e.event === 'transitions').length, 'it sent more than one batch: it followed the run').to.be.greaterThan(1);
      const ids = events.filter((e) => e.event === 'transitions').map((e) => Number(e.id));
      expect(ids[ids.length - 1]).to.equal(recorded.length);
      expect(events[events.length - 1]).to.deep.include({ event: 'finished', data: '"succeeded"' });

      // a reconnecting EventSource sends Last-Event-ID: only what is newer comes
      const resumed = await readEvents(url, (received) => received.some((e) => e.event === 'finished'), { headers: { 'last-event-id': String(recorded.length - 2) } });
      expect(resumed.filter((e) => e.event === 'transitions').flatMap((e) => (JSON.parse(e.data) as { seq: number }[]).map((t) => t.seq))).to.deep.equal([
        recorded.length - 1,
        recorded.length,
      ]);
    });

    it('mounts as a Fastify plugin under a prefix, and as a handler under a base path', async () => {
      const { result } = await runMixed(ctx);
      const app = Fastify({ routerOptions: { maxParamLength: 4096 } });
      const dashboard = createDashboard(ctx.engine);
      await app.register(dashboard.plugin, { prefix: '/ops/dashboard' });
      try {
        const response = await app.inject({ url: `/ops/dashboard/api/executions/${encodeURIComponent(result.id)}` });
        expect(response.statusCode).to.equal(200);
        expect(response.json()).to.deep.equal(asJson(await ctx.engine.getExecution(result.id)));
        const page = await app.inject({ url: '/ops/dashboard/' });
        expect(page.headers['content-type']).to.match(/^text\/html/);
        expect(page.body).to.contain('src="/ops/dashboard/assets/executions.js"');
        expect(page.headers['content-security-policy']).to.contain("script-src 'self'");
        const script = await app.inject({ url: '/ops/dashboard/assets/execution.js' });
        expect(script.statusCode).to.equal(200);
        expect(script.headers['content-type']).to.match(/^text\/javascript/);
      } finally {
        await app.close();
        await dashboard.close();
      }

      await served.serve(ctx.engine, { basePath: '/dash' });
      const listed = await api('/dash/api/executions');
      expect(listed.body.executions.map((e: { id: string }) => e.id)).to.deep.equal([result.id]);
      const page = await fetch(`${served.url}/dash/executions/${encodeURIComponent(result.id)}`);
      expect(await page.text()).to.contain('data-base="/dash"');

      // mounted as Express's app.use('/ops', handler) mounts it: the mount path is taken off req.url
      const stripping = createDashboard(ctx.engine, { basePath: '/ops' });
      const mount = http.createServer((request, response) => {
        if (!request.url?.startsWith('/ops')) return void response.writeHead(404).end();
        request.url = request.url.slice('/ops'.length) || '/';
        stripping.handler(request, response);
      });
      await new Promise<void>((resolve) => mount.listen(0, '127.0.0.1', resolve));
      try {
        const origin = `http://127.0.0.1:${(mount.address() as AddressInfo).port}`;
        const stripped = await requestJson(`${origin}/ops/api/executions/${encodeURIComponent(result.id)}`);
        expect(stripped.body.id).to.equal(result.id);
        const shell = await (await fetch(`${origin}/ops/`)).text();
        expect(shell).to.contain('src="/ops/assets/executions.js"');
        expect((await fetch(`${origin}/ops/assets/executions.js`)).status).to.equal(200);
      } finally {
        await stripping.close();
        mount.closeAllConnections();
        await new Promise((resolve) => mount.close(resolve));
      }
    });
  },
  // The API reads the store through its interface; SQLite and MariaDB/MySQL are the stores the issue names.
  { only: ['sqlite', 'mysql'] },
);
