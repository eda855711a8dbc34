/**
 * The HTML report in a real browser (Debian's chromium through playwright-core): the DAG has one
 * node per task filled with its state's colour, the Gantt one bar per attempt, the transition
 * table one row per transition, and the page logs no error and loads nothing. Skipped, with a
 * message, when /usr/bin/chromium is absent (install it with `apt-get install -y chromium`).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { inspectExecution } from '../lib/inspect/inspectExecution.js';
import { TASK_STATE_COLORS } from '../lib/inspect/taskStateColors.js';
import { rgb, useChromium } from './support/chromium.js';
import { forEachStore } from './support/engines.js';
import type { EngineTestContext } from './support/engines.js';
import { HOSTILE_ID, runCancelled, runMixed } from './support/inspectScenarios.js';

/** The little of the DOM the page function uses (the project compiles without the DOM lib). */
interface PageElement {
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  getBoundingClientRect(): { width: number };
  textContent: string | null;
}
interface PageWindow {
  document: { title: string; querySelectorAll(selector: string): ArrayLike<PageElement> };
  getComputedStyle(element: PageElement): { fill: string };
}

interface PageFacts {
  nodes: { taskId: string; status: string; fill: string }[];
  bars: { taskId: string; attempt: number; outcome: string; width: number }[];
  backoffs: number;
  rows: number[];
  title: string;
  /** The stack shown under each task's error in the task table, by task id. */
  stacks: Record<string, string>;
}

// Memory only: the report is rendered from records, which the store tests already prove equal across stores.
forEachStore(
  'HTML report in chromium',
  (ctx) => {
    const browser = useChromium();
    let dir = '';

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'tg-report-'));
    });

    after(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    /** Writes the report, opens it, and reads what a user sees; fails on any console error or request. */
    async function open(report: string, name: string, screenshot: string): Promise<PageFacts> {
      const file = path.join(dir, `${name}.html`);
      await writeFile(file, report, 'utf8');
      const page = await browser().newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('request', (request) => {
        if (request.url() !== pathToFileURL(file).href) problems.push(`request: ${request.url()}`);
      });
      await page.goto(pathToFileURL(file).href);
      const facts = await page.evaluate((): PageFacts => {
        const win = globalThis as unknown as PageWindow;
        // No named function in here: tsx would wrap it in a `__name` helper the page does not have.
        const nodes = Array.from(win.document.querySelectorAll('svg.dag g.dag-node')).map((node) => ({
          taskId: node.getAttribute('data-task-id') ?? '',
          status: node.getAttribute('data-status') ?? '',
          fill: win.getComputedStyle(node.querySelector('rect')!).fill,
        }));
        const bars = Array.from(win.document.querySelectorAll('svg.timeline rect.attempt-bar')).map((bar) => ({
          taskId: bar.getAttribute('data-task-id') ?? '',
          attempt: Number(bar.getAttribute('data-attempt')),
          outcome: bar.getAttribute('data-outcome') ?? '',
          width: bar.getBoundingClientRect().width,
        }));
        return {
          nodes,
          bars,
          backoffs: Array.from(win.document.querySelectorAll('svg.timeline rect.backoff-bar')).length,
          rows: Array.from(win.document.querySelectorAll('table.transitions tbody tr')).map((row) => Number(row.getAttribute('data-seq'))),
          title: win.document.title,
          stacks: Object.fromEntries(
            Array.from(win.document.querySelectorAll('table.tasks tr[data-task-id]')).flatMap((row) => {
              const stack = row.querySelector('details.stack pre');
              return stack ? [[row.getAttribute('data-task-id') ?? '', stack.textContent ?? '']] : [];
            }),
          ),
        };
      });
      await page.screenshot({ path: screenshot, fullPage: true });
      await page.close();
      expect(problems).to.deep.equal([]);
      return facts;
    }

    async function expectReportMatches(scenario: (ctx: EngineTestContext) => ReturnType<typeof runMixed>, name: string): Promise<PageFacts & { executionId: string }> {
      const { workflow, result } = await scenario(ctx);
      const report = await inspectExecution(ctx.target.store, result.id, { format: 'html', workflow });
      const facts = await open(report, name, path.join(os.tmpdir(), `task-graph-report-${name}.png`));
      const details = await ctx.engine.getExecution(result.id);
      const transitions = await ctx.engine.listTransitions(result.id);

      expect(facts.nodes.map((node) => node.taskId).sort()).to.deep.equal(Object.keys(details.tasks).sort());
      for (const node of facts.nodes) {
        const status = details.tasks[node.taskId]!.status;
        expect(node.status, node.taskId).to.equal(status);
        expect(node.fill, node.taskId).to.equal(rgb(TASK_STATE_COLORS[status].fill));
      }
      const expectedBars = Object.entries(details.tasks).flatMap(([taskId, task]) =>
        Array.from({ length: task.attempts }, (_, index) => `${taskId}#${index + 1}`),
      );
      expect(facts.bars.map((bar) => `${bar.taskId}#${bar.attempt}`).sort()).to.deep.equal(expectedBars.sort());
      for (const bar of facts.bars) expect(bar.width, `${bar.taskId}#${bar.attempt} is visible`).to.be.greaterThan(0);
      expect(facts.rows).to.deep.equal(transitions.map((transition) => transition.seq));
      return { ...facts, executionId: result.id };
    }

    it('shows retries, a failure, skips and a hostile task id', async () => {
      const facts = await expectReportMatches(runMixed, 'mixed');
      expect(facts.title).to.match(/^Execution .* · mixed · failed$/);
      expect(facts.nodes.find((node) => node.taskId === HOSTILE_ID)?.status).to.equal('succeeded');
      // retries are separate bars: extract ran 3 times (2 failed then retried), transform twice
      expect(facts.bars.filter((bar) => bar.taskId === 'extract').map((bar) => bar.outcome)).to.deep.equal(['retrying', 'retrying', 'succeeded']);
      expect(facts.bars.filter((bar) => bar.taskId === 'transform').map((bar) => bar.outcome)).to.deep.equal(['retrying', 'failed']);
      expect(facts.backoffs).to.equal(3);
      // the failed task's error with its stack, as recorded (folded under the error)
      expect(Object.keys(facts.stacks)).to.deep.equal(['transform']);
      expect(facts.stacks['transform']).to.equal((await ctx.engine.getExecution(facts.executionId)).tasks['transform']!.error!.stack);
      expect(facts.stacks['transform']).to.match(/^Error: transform is broken\n\s+at /);
    });

    it('shows a cancelled execution', async () => {
      const facts = await expectReportMatches(runCancelled, 'cancelled');
      expect(facts.bars.find((bar) => bar.taskId === 'slow')?.outcome).to.equal('cancelled');
    });
  },
  { only: ['memory'] },
);
