/**
 * How fast the dashboard opens a large execution: `tsx bench/dashboardExecution.ts [tasks]` runs a
 * no-op workflow of `tasks` tasks (default 10,000: layers of 100, each task depending on one of
 * the layer before) on a SQLite file, then times the execution page's API reads over real HTTP
 * (the execution, the laid-out graph, the transition log; first and cached), and, when Debian's
 * chromium is present, the page itself: from navigation until every node is coloured and the
 * browser has painted a frame (a graph above 2,000 tasks opens with its columns collapsed), until
 * the transition log is read (the slider is ready), "expand all", one step of the replay slider,
 * and how far behind a second run the page is when it follows it live.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { createDashboard } from '../lib/dashboard/createDashboard.js';
import { createEngine } from '../lib/index.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/support/chromium.js';

/** The page's globals, as seen from code the project compiles without the DOM lib. */
interface PageGlobals {
  document: {
    querySelectorAll(selector: string): ArrayLike<{ getAttribute(name: string): string | null }>;
    querySelector(selector: string): object | null;
  };
}

/**
 * How many tasks the DAG shows in `status`: its nodes drawn in that state, and the counts of its
 * collapsed columns. Passed to the page as its source (an arrow function: no name for tsx to wrap).
 */
const shownIn = ([status, n]: readonly [string, number]): boolean => {
  const doc = (globalThis as unknown as PageGlobals).document;
  let count = doc.querySelectorAll(`svg.dag g.dag-node[data-status="${status}"]`).length;
  for (const box of Array.from(doc.querySelectorAll('svg.dag g.dag-group.shown'))) count += Number(box.getAttribute(`data-${status}`) ?? 0);
  return count === n;
};

const tasks = Number(process.argv[2] ?? 10_000);
const dir = await mkdtemp(path.join(os.tmpdir(), 'tg-dash-bench-'));
const engine = await createEngine({ storage: `sqlite:${path.join(dir, 'bench.db')}`, logLevel: 'error', concurrency: 64 });
try {
  const builder = engine.createWorkflow('large');
  for (let i = 0; i < tasks; i++) {
    builder.addTask(`t${i}`, `Task ${i}`, () => i);
    if (i >= 100) builder.addDependency(`t${(Math.floor(i / 100) - 1) * 100 + (i % 7)}`, `t${i}`);
  }
  engine.publishWorkflow(builder.build());
  let began = performance.now();
  const result = await engine.execute('large', {}, { concurrency: 64 });
  console.log(`ran ${tasks} tasks in ${((performance.now() - began) / 1000).toFixed(1)} s: ${result.status}`);

  const dashboard = createDashboard(engine);
  const server = http.createServer(dashboard.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const api = `${base}/api/executions/${result.id}`;
  for (const round of ['first', 'again']) {
    for (const suffix of ['', '/graph', '/transitions']) {
      began = performance.now();
      const response = await fetch(api + suffix);
      const size = (await response.arrayBuffer()).byteLength;
      console.log(`${round.padEnd(6)} GET …${suffix || '/'.padEnd(1)} ${(performance.now() - began).toFixed(0).padStart(6)} ms  ${(size / 1e6).toFixed(1)} MB`);
    }
  }
  if (existsSync(CHROMIUM)) {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // two animation frames: the browser has laid out and painted what the script drew
    const painted = (target: Page) =>
      target.evaluate(() => {
        const win = globalThis as unknown as { requestAnimationFrame(callback: () => void): void };
        return new Promise<void>((resolve) => win.requestAnimationFrame(() => win.requestAnimationFrame(() => resolve())));
      });
    began = performance.now();
    await page.goto(`${base}/executions/${result.id}`);
    await page.waitForFunction(shownIn, ['succeeded', tasks] as const, { timeout: 120_000 });
    const coloured = performance.now() - began;
    await painted(page);
    const collapsed = await page.evaluate(() => (globalThis as unknown as PageGlobals).document.querySelectorAll('svg.dag g.dag-group.shown').length);
    console.log(
      `page: every task shown coloured ${coloured.toFixed(0)} ms after navigation, painted ${(performance.now() - began).toFixed(0)} ms` +
        (collapsed > 0 ? ` (opened with ${collapsed} columns collapsed)` : ''),
    );
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('#step:not([disabled])') !== null, undefined, { timeout: 120_000 });
    console.log(`page: the transition log read and the slider ready ${(performance.now() - began).toFixed(0)} ms after navigation`);
    if (collapsed > 0) {
      began = performance.now();
      await page.click('#expand-all');
      await painted(page);
      console.log(`page: "expand all" drew the ${tasks} nodes in ${(performance.now() - began).toFixed(0)} ms`);
    }
    // one step of the slider from the last step to the first (every node changes colour): the
    // script's work, then until the browser has painted it
    const timing = await page.evaluate(async () => {
      const win = globalThis as unknown as PageGlobals & { KeyboardEvent: new (type: string, init: { key: string }) => object; requestAnimationFrame(callback: () => void): void };
      const started = performance.now();
      (win.document as unknown as { dispatchEvent(event: object): void }).dispatchEvent(new win.KeyboardEvent('keydown', { key: 'Home' }));
      const scripted = performance.now() - started;
      await new Promise<void>((resolve) => win.requestAnimationFrame(() => win.requestAnimationFrame(() => resolve())));
      return { scripted, painted: performance.now() - started, pending: win.document.querySelectorAll('svg.dag g.dag-node[data-status="pending"]').length };
    });
    console.log(`page: slider from the last step to step 0: script ${timing.scripted.toFixed(0)} ms, painted ${timing.painted.toFixed(0)} ms (${timing.pending} nodes recoloured)`);
    // live: a second run of the same workflow, followed by the page from its start
    const handle = engine.start('large', {}, { concurrency: 64 });
    await engine.getExecution(handle.id);
    const livePage = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const opened = performance.now();
    await livePage.goto(`${base}/executions/${handle.id}`);
    const finished = await handle.result.then(() => performance.now());
    await livePage.waitForFunction(shownIn, ['succeeded', tasks] as const, { timeout: 120_000 });
    const shown = performance.now();
    console.log(
      `live: the run took ${((finished - opened) / 1000).toFixed(1)} s (${Math.round(tasks / ((finished - opened) / 1000))} tasks/s); ` +
        `the page showed every task succeeded ${(shown - finished).toFixed(0)} ms after it finished`,
    );
    await browser.close();
  }
  await dashboard.close();
  server.closeAllConnections();
  server.close();
} finally {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
}
