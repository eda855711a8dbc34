/**
 * The dashboard in a real browser (Debian's chromium through playwright-core), over real HTTP on
 * a SQLite file:
 * - the executions page lists a running execution that another process (`task-graph run`) runs,
 *   filters by workflow and status, and pages;
 * - the execution page's DAG changes colour as that run progresses, task by task;
 * - at every step k of the replay slider (moved with the arrow keys) the DAG and the task table
 *   show the task states of `engine.replay(id)[k]`, for an execution with retries and a failure;
 *   the failed task's panel shows its error's stack, and each failed attempt's;
 * - a column of many tasks collapses into one box counting its tasks per state at every replay
 *   step, and expands again (by a click, or a search for one of its tasks); a graph above 2,000
 *   tasks opens with its columns collapsed;
 * - an attempt whose process stopped is drawn interrupted, then run again after the resume;
 * - actions are refused without the token and work with it;
 * - hostile ids, outputs and log lines are shown as text: no dialog, no element they would make.
 * Every page must log no error. Screenshots go to test-artifacts/dashboard/ (kept by CI).
 * Skipped, with a message, when /usr/bin/chromium is absent.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { DAGRE_MAX_TASKS } from '../lib/dashboard/executionGraph.js';
import { TASK_STATE_COLORS } from '../lib/inspect/taskStateColors.js';
import type { TaskStatus } from '../lib/store/records.js';
import { rgb, useChromium } from './support/chromium.js';
import { deferred, forEachStore, waitUntil, whenAborted } from './support/engines.js';
import { useDashboardServer } from './support/dashboardServer.js';
import { HOSTILE_ID, runMixed } from './support/inspectScenarios.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'lib', 'cli', 'main.ts');
const GATED = path.join(ROOT, 'test', 'fixtures', 'gatedWorkflows.ts');
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'dashboard');
const TOKEN = 'browser-token-42';

/** The little of the DOM the page functions use (the project compiles without the DOM lib). */
interface PageElement {
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  textContent: string | null;
}
interface PageDocument {
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  querySelector(selector: string): PageElement | null;
}
interface PageWindow {
  document: PageDocument;
  getComputedStyle(element: PageElement): { fill: string };
}

interface NodeFacts {
  taskId: string;
  status: string;
  attempt: string;
  fill: string;
}

async function dagNodes(page: Page): Promise<NodeFacts[]> {
  return page.evaluate(() => {
    const win = globalThis as unknown as PageWindow;
    return Array.from(win.document.querySelectorAll('svg.dag g.dag-node')).map((node) => ({
      taskId: node.getAttribute('data-task-id') ?? '',
      status: node.getAttribute('data-status') ?? '',
      attempt: node.getAttribute('data-attempt') ?? '',
      fill: win.getComputedStyle(node.querySelector('rect')!).fill,
    }));
  });
}

async function nodeStatus(page: Page, taskId: string): Promise<string | undefined> {
  return (await dagNodes(page)).find((node) => node.taskId === taskId)?.status;
}

forEachStore(
  'dashboard in chromium',
  (ctx) => {
    const browser = useChromium();
    const server = useDashboardServer();
    let dir = '';
    const children: ChildProcessWithoutNullStreams[] = [];
    let problems: string[] = [];

    before(async () => {
      await mkdir(ARTIFACTS, { recursive: true });
    });
    beforeEach(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'tg-dashboard-'));
      problems = [];
    });
    afterEach(async () => {
      for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
      expect(problems, 'the pages logged no error').to.deep.equal([]);
    });

    async function open(url: string): Promise<Page> {
      const page = await browser().newPage({ viewport: { width: 1400, height: 1000 } });
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('dialog', (dialog) => {
        problems.push(`dialog: ${dialog.message()}`);
        void dialog.dismiss();
      });
      await page.goto(url);
      return page;
    }

    async function screenshot(page: Page, name: string): Promise<void> {
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
    }

    /** `task-graph run` of the gated workflow in another process; resolves with its execution id. */
    async function runGatedElsewhere(): Promise<{ id: string; child: ChildProcessWithoutNullStreams }> {
      const child = spawn(process.execPath, ['--import', 'tsx', BIN, 'run', GATED, '--workflow', 'gated', '--input', JSON.stringify({ dir }), '--storage', ctx.target.url], { cwd: ROOT });
      children.push(child);
      let err = '';
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
      await waitUntil(() => /Execution (\S+) of gated started/.test(err) || child.exitCode !== null, 'the other process started its execution');
      const id = /Execution (\S+) of gated started/.exec(err)?.[1];
      if (!id) throw new Error(`task-graph run did not start:\n${err}`);
      return { id, child };
    }

    const release = (taskId: string) => writeFile(path.join(dir, `go-${taskId}`), '');

    it("lists a running execution of another process, and colours its DAG live as it progresses", async () => {
      await server.serve({ storage: ctx.target.url }, { pollIntervalMs: 50 });
      const { id, child } = await runGatedElsewhere();

      const list = await open(`${server.url}/`);
      await list.waitForSelector(`tr[data-id="${id}"][data-status="running"]`);
      expect(await list.textContent('#counts [data-status="running"]')).to.contain('1');
      await screenshot(list, 'executions');
      await list.click(`tr[data-id="${id}"] a.execution-link`);
      await list.waitForSelector('svg.dag g.dag-node');
      const page = list;
      await waitUntil(async () => (await nodeStatus(page, 'fetch')) === 'running', 'fetch shows running');
      expect((await dagNodes(page)).find((node) => node.taskId === 'fetch')?.fill).to.equal(rgb(TASK_STATE_COLORS.running.fill));
      await screenshot(page, 'execution-running');

      await release('fetch');
      await waitUntil(async () => (await nodeStatus(page, 'fetch')) === 'succeeded' && (await nodeStatus(page, 'parse')) === 'running', 'fetch succeeded, parse runs');
      const middle = await dagNodes(page);
      expect(middle.find((node) => node.taskId === 'fetch')?.fill).to.equal(rgb(TASK_STATE_COLORS.succeeded.fill));
      expect(middle.find((node) => node.taskId === 'publish')?.status).to.equal('pending');
      for (const task of ['parse', 'index', 'publish']) await release(task);
      await waitUntil(async () => (await dagNodes(page)).every((node) => node.status === 'succeeded'), 'every task shows succeeded');
      for (const node of await dagNodes(page)) expect(node.fill, node.taskId).to.equal(rgb(TASK_STATE_COLORS.succeeded.fill));
      await waitUntil(() => child.exitCode !== null, 'the other process ended');
      await waitUntil(async () => (await page.getAttribute('#summary .badge', 'data-status')) === 'succeeded', 'the summary shows succeeded');
      await screenshot(page, 'execution-succeeded');
      await page.close();
    });

    it('filters the executions list by workflow and status, and pages it', async () => {
      ctx.publish('many', (wf) => wf.addTask('a', 'A', () => 1));
      ctx.publish('other', (wf) => wf.addTask('a', 'A', () => { throw new Error('no'); }));
      for (let i = 0; i < 53; i++) await ctx.engine.execute('many');
      const failed = await ctx.engine.execute('other');
      await server.serve(ctx.engine);
      const page = await open(`${server.url}/`);
      await page.waitForSelector('table.executions tbody tr[data-id]');
      const rowIds = () => page.$$eval('table.executions tbody tr[data-id]', (rows) => rows.map((row) => row.getAttribute('data-id')));
      const newest = (await ctx.engine.listExecutions({ limit: 54 })).map((e) => e.id);
      expect(await rowIds()).to.deep.equal(newest.slice(0, 50));
      expect(await page.textContent('#counts [data-status="succeeded"]')).to.contain('53');
      await page.click('#older');
      await waitUntil(async () => (await rowIds()).length === 4, 'the second page shows');
      expect(await rowIds()).to.deep.equal(newest.slice(50));
      expect(await page.isDisabled('#older')).to.equal(true);
      await page.click('#newer');
      await waitUntil(async () => (await rowIds()).length === 50, 'the first page is back');

      await page.selectOption('select[name="status"]', 'failed');
      await page.click('#filters button[type="submit"]');
      await waitUntil(async () => JSON.stringify(await rowIds()) === JSON.stringify([failed.id]), 'only the failed execution shows');
      expect(page.url()).to.contain('status=failed');
      await page.selectOption('select[name="status"]', '');
      await page.fill('input[name="workflow"]', 'many');
      await page.click('#filters button[type="submit"]');
      await waitUntil(async () => (await rowIds()).length === 50 && !(await rowIds()).includes(failed.id), 'only workflow many shows');
      expect(await page.textContent('#counts [data-status="failed"]')).to.contain('0');
      await page.close();
    });

    it('shows at every step k of the slider the task states of replay()[k], stepping with the arrow keys', async () => {
      const { result } = await runMixed(ctx);
      const steps = await ctx.engine.replay(result.id);
      await server.serve(ctx.engine);
      const page = await open(`${server.url}/executions/${encodeURIComponent(result.id)}`);
      await page.waitForSelector('svg.dag g.dag-node');
      await page.waitForSelector('svg.timeline rect.attempt-bar');
      await page.click('h1');
      for (let k = steps.length - 1; k >= 0; k--) {
        if (k < steps.length - 1) await page.keyboard.press('ArrowLeft');
        expect(await page.inputValue('#step'), `slider at ${k}`).to.equal(String(k));
        const expected = steps[k]!.state;
        const nodes = await dagNodes(page);
        expect(nodes.map((node) => node.taskId).sort()).to.deep.equal(Object.keys(expected.tasks).sort());
        for (const node of nodes) {
          const task = expected.tasks[node.taskId]!;
          expect({ status: node.status, attempt: node.attempt }, `step ${k}, ${node.taskId}`).to.deep.equal({ status: task.status, attempt: String(task.attempt) });
          expect(node.fill, `step ${k}, ${node.taskId}`).to.equal(rgb(TASK_STATE_COLORS[task.status as TaskStatus].fill));
        }
        const rows = await page.$$eval('table.tasks tr.task-row', (elements) =>
          elements.map((row) => [row.getAttribute('data-task-id'), row.getAttribute('data-status'), row.querySelector('.attempt-cell')?.textContent]),
        );
        expect(rows.map(([taskId, status, attempt]) => [taskId, status, Number(attempt)])).to.have.deep.members(
          Object.entries(expected.tasks).map(([taskId, task]) => [taskId, task.status, task.attempt]),
        );
        expect(await page.getAttribute('#step-info', 'data-status'), `execution status at step ${k}`).to.equal(expected.status);
        if (k === 4) await screenshot(page, 'execution-replay-step-4');
      }
      await page.keyboard.press('End');
      expect(await page.inputValue('#step')).to.equal(String(steps.length - 1));
      // the timeline: one bar per attempt (extract ran 3 times, transform twice)
      const bars = await page.$$eval('svg.timeline rect.attempt-bar', (elements) => elements.map((bar) => `${bar.getAttribute('data-task-id')}#${bar.getAttribute('data-attempt')}`));
      expect(bars.filter((bar) => bar.startsWith('extract#'))).to.deep.equal(['extract#1', 'extract#2', 'extract#3']);
      expect(bars.filter((bar) => bar.startsWith('transform#'))).to.deep.equal(['transform#1', 'transform#2']);
      await page.click('svg.dag g.dag-node[data-task-id="transform"]');
      await page.waitForSelector('#task-panel table.attempts tr[data-attempt="2"]');
      expect(await page.textContent('#task-panel')).to.contain('transform is broken');
      // its error with the stack recorded, and each failed attempt's own stack under its error
      const transformError = (await ctx.engine.getExecution(result.id)).tasks['transform']!.error!;
      expect(transformError.stack).to.match(/^Error: transform is broken\n\s+at /);
      expect(await page.textContent('#task-panel div > pre.stack')).to.equal(transformError.stack);
      const attemptStacks = await page.$$eval('#task-panel table.attempts tr[data-attempt]', (rows) =>
        rows.map((row) => [row.getAttribute('data-attempt'), row.querySelector('details.stack pre')?.textContent?.split('\n')[0] ?? null]),
      );
      expect(attemptStacks).to.deep.equal([['1', 'Error: transform is broken'], ['2', 'Error: transform is broken']]);
      // the statechart beside the task highlights its state at the step shown
      for (let k = steps.length - 1; k >= 0; k--) {
        if (k < steps.length - 1) await page.keyboard.press('ArrowLeft');
        const current = await page.$$eval('#statechart g.sc-state.current', (nodes) => nodes.map((node) => node.getAttribute('data-state')));
        expect(current, `statechart at step ${k}`).to.deep.equal([steps[k]!.state.tasks['transform']!.status]);
      }
      await page.keyboard.press('End');
      await screenshot(page, 'execution-task-panel');
      await page.close();
    });

    it('shows an attempt interrupted by its process stopping, and run again after the resume, as such', async () => {
      let runs = 0;
      const stale = deferred();
      const firstRun = deferred();
      const define = (wf: Parameters<Parameters<typeof ctx.publish>[1]>[0]) =>
        wf.addTask('quick', 'Quick', () => 1).addTask('long', 'Long', async () => {
          runs += 1;
          if (runs === 1) {
            firstRun.resolve();
            await stale.promise; // the first process "dies" while this runs
          }
          return 'done';
        }).addDependency('quick', 'long');
      const first = await ctx.openEngine();
      first.publishWorkflow(define(first.createWorkflow('crashy')).build());
      const handle = first.start('crashy');
      handle.result.catch(() => undefined);
      await firstRun.promise;
      await waitUntil(async () => (await ctx.engine.getExecution(handle.id)).tasks['long']?.status === 'running', 'long is committed running');
      await first.close();
      ctx.publish('crashy', define);
      const result = await ctx.engine.resume(handle.id);
      stale.resolve();
      expect(result.status).to.equal('succeeded');

      await server.serve(ctx.engine);
      const page = await open(`${server.url}/executions/${encodeURIComponent(result.id)}`);
      await page.waitForSelector('svg.timeline rect.interrupted-bar');
      const bars = await page.$$eval('svg.timeline rect.bar', (elements) =>
        elements.map((bar) => [bar.getAttribute('data-task-id'), bar.getAttribute('class')?.split(' ')[1], bar.getAttribute('data-attempt')]),
      );
      expect(bars.filter(([taskId]) => taskId === 'long')).to.deep.equal([
        ['long', 'interrupted-bar', '1'],
        ['long', 'attempt-bar', '1'],
      ]);
      expect(bars.filter(([taskId]) => taskId === 'quick')).to.deep.equal([['quick', 'attempt-bar', '1']]);
      expect(await page.$$eval('svg.timeline line.resume-mark', (lines) => lines.length)).to.equal(1);
      await page.click('svg.dag g.dag-node[data-task-id="long"]');
      await page.waitForSelector('#task-panel table.attempts');
      expect(await page.textContent('#task-panel table.attempts')).to.contain('interrupted (resumed)');
      await screenshot(page, 'execution-resumed');
      await page.close();
    });

    it("collapses a large column into one box counting its tasks per state at the step shown, and expands it", async () => {
      const fan = Array.from({ length: 30 }, (_, i) => `fan-${String(i).padStart(2, '0')}`);
      ctx.publish('fan', (wf) => {
        let builder = wf.addTask('start', 'Start', () => 1).addTask('join', 'Join', () => 2);
        for (const [i, taskId] of fan.entries()) {
          builder = builder.addTask(taskId, taskId, () => {
            if (i % 10 === 0) throw new Error(`${taskId} fails`);
            return i;
          }).addDependency('start', taskId).addDependency(taskId, 'join');
        }
        return builder;
      });
      const result = await ctx.engine.execute('fan');
      const steps = await ctx.engine.replay(result.id);
      await server.serve(ctx.engine);
      const page = await open(`${server.url}/executions/${encodeURIComponent(result.id)}`);
      await page.waitForSelector('svg.dag g.group-handle[data-group-id="column-1"]');
      const visibleNodes = () => page.$$eval('svg.dag g.dag-node', (nodes) => nodes.map((node) => node.getAttribute('data-task-id')).sort());
      const groupEdges = () => page.$$eval('svg.dag polyline.group-edge', (lines) => lines.length);
      const boxCounts = () => page.$eval('svg.dag g.dag-group[data-group-id="column-1"]', (box) =>
        Object.fromEntries(['pending', 'running', 'retrying', 'succeeded', 'failed', 'skipped', 'cancelled'].flatMap((state) => {
          const value = box.getAttribute(`data-${state}`);
          return value === null ? [] : [[state, Number(value)]];
        })),
      );
      const expectedCounts = (k: number) => {
        const counts: Record<string, number> = {};
        for (const taskId of fan) {
          const status = k < 0 ? 'pending' : steps[k]!.state.tasks[taskId]!.status;
          counts[status] = (counts[status] ?? 0) + 1;
        }
        return counts;
      };
      expect(await visibleNodes()).to.have.length(32);

      await page.click('svg.dag g.group-handle[data-group-id="column-1"]');
      await page.waitForSelector('svg.dag g.dag-group[data-collapsed="true"]');
      expect(await visibleNodes()).to.deep.equal(['join', 'start']);
      expect(await boxCounts()).to.deep.equal({ succeeded: 27, failed: 3 });
      expect(await page.$$eval('svg.dag g.dag-group .group-counts tspan', (lines) => lines.map((line) => line.textContent))).to.deep.equal(['3 failed', '27 succeeded']);
      expect(await groupEdges(), 'start → the box, the box → join').to.equal(2);
      expect(await page.$$eval('svg.dag polyline.dag-edge:not(.group-edge)', (lines) => lines.length), 'the edges of its tasks are not drawn').to.equal(0);
      await screenshot(page, 'execution-collapsed');
      // the counts follow the replay step, as the DAG would show the tasks
      await page.click('h1');
      await page.keyboard.press('Home');
      expect(await boxCounts(), 'before the first step').to.deep.equal({ pending: 30 });
      for (let k = 0; k < steps.length; k++) {
        await page.keyboard.press('ArrowRight');
        expect(await boxCounts(), `step ${k}`).to.deep.equal(expectedCounts(k));
      }
      expect(await visibleNodes(), 'the tasks recoloured stay collapsed').to.deep.equal(['join', 'start']);

      await page.click('svg.dag g.dag-group[data-group-id="column-1"]');
      await waitUntil(async () => (await visibleNodes()).length === 32, 'the column is expanded');
      expect(await groupEdges()).to.equal(0);
      expect(await page.$$eval('svg.dag polyline.dag-edge:not(.group-edge)', (lines) => lines.length), 'every edge drawn again').to.equal(60);
      // searching a task of a collapsed column expands it
      await page.click('#collapse-all');
      expect(await visibleNodes()).to.deep.equal(['join', 'start']);
      await page.fill('#search', 'fan-17');
      await waitUntil(async () => (await visibleNodes()).length === 32, 'the search expanded the column');
      await page.close();
    });

    it(`opens a graph above ${DAGRE_MAX_TASKS} tasks with its columns collapsed, and draws every task on "expand all"`, async () => {
      const width = DAGRE_MAX_TASKS + 50;
      ctx.publish('huge', (wf) => {
        let builder = wf.addTask('start', 'Start', () => 1);
        for (let i = 0; i < width; i++) builder = builder.addTask(`leaf-${i}`, `Leaf ${i}`, () => i).addDependency('start', `leaf-${i}`);
        return builder;
      });
      const result = await ctx.engine.execute('huge', {}, { concurrency: 64 });
      await server.serve(ctx.engine);
      const page = await open(`${server.url}/executions/${encodeURIComponent(result.id)}`);
      await page.waitForSelector('svg.dag g.dag-group.shown[data-group-id="column-1"]');
      await waitUntil(async () => (await page.getAttribute('svg.dag g.dag-group[data-group-id="column-1"]', 'data-succeeded')) === String(width), 'the box counts every leaf succeeded');
      expect(await page.$$eval('svg.dag g.dag-node', (nodes) => nodes.map((node) => node.getAttribute('data-task-id')))).to.deep.equal(['start']);
      expect(await page.$$eval('svg.dag polyline.group-edge', (lines) => lines.length), 'start → the box').to.equal(1);
      // the box is at the top of its column (2,050 rows tall), in view as the page opens
      const [box, view] = await Promise.all([page.locator('svg.dag g.dag-group[data-group-id="column-1"]').boundingBox(), page.locator('#dag-box').boundingBox()]);
      expect(box!.y + box!.height, 'the box is in the graph view').to.be.at.most(view!.y + view!.height);
      expect(await page.textContent('.graph-tools')).to.contain('columns layout');
      // selecting one of its tasks in the table expands its column, with its tasks drawn as they are
      await page.click('table.tasks tr[data-task-id="leaf-7"] button.link');
      await page.waitForSelector('svg.dag g.dag-node.selected[data-task-id="leaf-7"][data-status="succeeded"]');
      expect(await page.$$eval('svg.dag g.dag-group.shown', (boxes) => boxes.length)).to.equal(0);
      await page.click('#collapse-all');
      expect(await page.$$eval('svg.dag g.dag-node', (nodes) => nodes.map((node) => node.getAttribute('data-task-id')))).to.deep.equal(['start']);
      await page.click('#expand-all');
      await waitUntil(async () => (await page.$$eval('svg.dag g.dag-node[data-status="succeeded"]', (nodes) => nodes.length)) === width + 1, 'every task drawn succeeded');
      expect(await page.$$eval('svg.dag g.dag-group.shown', (boxes) => boxes.length)).to.equal(0);
      await page.close();
    });

    it('refuses actions without the token and cancels with it', async () => {
      const started = deferred();
      ctx.publish('waits', (wf) =>
        wf.addTask('wait', 'Wait', async (_input: unknown, task: { signal: AbortSignal }) => {
          started.resolve();
          await whenAborted(task.signal);
          throw new Error('stopped');
        }),
      );
      const handle = ctx.engine.start('waits');
      await started.promise;
      await server.serve(ctx.engine, { token: TOKEN, allowActions: true });
      const url = `${server.url}/executions/${encodeURIComponent(handle.id)}`;

      const anonymous = await open(url);
      await anonymous.waitForSelector('#auth form.token-form');
      expect(await anonymous.$('#action-cancel')).to.equal(null);
      expect(await anonymous.textContent('#main')).to.contain('UNAUTHORIZED');
      problems = problems.filter((problem) => !problem.includes('401')); // the browser logs the refused request itself
      await screenshot(anonymous, 'execution-no-token');
      await anonymous.close();

      const page = await open(`${url}#token=${TOKEN}`);
      await page.waitForSelector('#action-cancel');
      expect(page.url()).to.not.contain(TOKEN);
      await page.click('#action-cancel');
      const result = await handle.result;
      expect(result.status).to.equal('cancelled');
      expect(result.error?.message).to.equal('cancelled from the dashboard');
      await waitUntil(async () => (await nodeStatus(page, 'wait')) === 'cancelled', 'the DAG shows the task cancelled');
      await page.close();
    });

    it('shows hostile ids, outputs and log lines as text', async () => {
      const hostileWorkflow = `wf-<img src=x onerror=alert(1)>-"'&`;
      const sqlTask = `x'); DROP TABLE tg_executions; --`;
      ctx.publish(hostileWorkflow, (wf) =>
        wf
          .addTask(HOSTILE_ID, '<b>name</b>', (_input: unknown, task) => {
            task.logger.info('<script>alert("log")</script>', { html: '<img src=x onerror=alert(2)>' });
            return { html: '</pre><script>alert(3)</script>' };
          })
          .addTask(sqlTask, 'SQL', () => {
            throw new Error('<svg onload=alert(4)>');
          })
          .addDependency(HOSTILE_ID, sqlTask),
      );
      const result = await ctx.engine.execute(hostileWorkflow);
      await server.serve(ctx.engine);

      const list = await open(`${server.url}/?workflow=${encodeURIComponent(hostileWorkflow)}`);
      await list.waitForSelector(`tr[data-id="${result.id}"]`);
      expect(await list.textContent(`tr[data-id="${result.id}"]`)).to.contain(hostileWorkflow);
      await list.close();

      const page = await open(`${server.url}/executions/${encodeURIComponent(result.id)}`);
      await page.waitForSelector('svg.dag g.dag-node');
      expect((await dagNodes(page)).map((node) => node.taskId).sort()).to.deep.equal([HOSTILE_ID, sqlTask].sort());
      await page.click(`table.tasks button.link >> text=${HOSTILE_ID}`);
      await page.waitForSelector('#task-panel .logs li.log');
      expect(await page.textContent('#task-panel .logs')).to.contain('<script>alert("log")</script>');
      expect(await page.textContent('#task-panel pre.output')).to.contain('</pre><script>alert(3)</script>');
      expect(await page.textContent('#summary')).to.contain(hostileWorkflow);
      await page.click(`table.tasks button.link >> text=${sqlTask}`);
      await page.waitForSelector('#task-panel pre.error');
      expect(await page.textContent('#task-panel pre.error')).to.contain('<svg onload=alert(4)>');
      expect(await page.textContent('#task-panel div > pre.stack')).to.match(/^Error: <svg onload=alert\(4\)>\n\s+at /);
      const made = await page.evaluate(() => {
        const win = globalThis as unknown as PageWindow;
        return {
          scripts: Array.from(win.document.querySelectorAll('script')).map((script) => script.getAttribute('src')),
          injected: win.document.querySelectorAll('img, b, main svg:not(.dag):not(.timeline):not(.statechart), pre script, li script').length,
        };
      });
      expect(made.scripts).to.deep.equal(['/assets/execution.js']);
      expect(made.injected).to.equal(0);
      await screenshot(page, 'execution-hostile');
      await page.close();
    });
  },
  // The dashboard reads the store through the API, which its server tests prove on SQLite and MariaDB.
  { only: ['sqlite'] },
);
