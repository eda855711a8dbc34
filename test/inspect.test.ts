/**
 * inspectExecution: an execution read back from its store as Mermaid, DOT, JSON and a
 * self-contained HTML report, with and without the workflow (whose edges are not stored).
 */
import { expect } from 'chai';
import { ExecutionNotFoundError, InvalidOptionsError } from '../lib/errors.js';
import { resumesFromLogs } from '../lib/inspect/attemptTimeline.js';
import { inspectExecution } from '../lib/inspect/inspectExecution.js';
import { TASK_STATE_COLORS } from '../lib/inspect/taskStateColors.js';
import type { TaskContext, Workflow, WorkflowBuilder } from '../lib/index.js';
import { MemoryStore } from '../lib/store/MemoryStore.js';
import type { LogRecord } from '../lib/store/records.js';
import type { Store } from '../lib/store/Store.js';
import { deferred, forEachStore, waitUntil } from './support/engines.js';
import { HOSTILE_ID, runCancelled, runMixed } from './support/inspectScenarios.js';

function workflowEdges(workflow: Workflow): [string, string][] {
  return [...workflow.upstream].flatMap(([to, ups]) => ups.map((from): [string, string] => [from, to]));
}

/** The same execution in a fresh memory store, as a row written before executions kept their graph. */
async function withoutGraph(source: Store, executionId: string): Promise<Store> {
  const store = new MemoryStore();
  const execution = (await source.getExecution(executionId))!;
  await store.createExecution({ ...execution, graph: null }, await source.listTaskRuns(executionId));
  await store.commit({ transitions: await source.listTransitions(executionId), taskRuns: [], executions: [] });
  return store;
}

function count(text: string, pattern: RegExp): number {
  return (text.match(pattern) ?? []).length;
}

forEachStore('inspectExecution', (ctx) => {
  describe('mermaid', () => {
    // Regression: the DAG and the statechart came in one block, which Mermaid cannot render as one diagram.
    it('draws the DAG coloured by task state, alone', async () => {
      const { workflow, result } = await runMixed(ctx);
      const dag = await inspectExecution(ctx.target.store, result.id, { format: 'mermaid', workflow });
      expect(dag.startsWith('flowchart LR\n')).to.equal(true);
      expect(dag).to.not.include('stateDiagram');
      expect(dag.match(/^(flowchart|stateDiagram|graph) /gm)).to.have.length(1);
      // one node per task, t0.. in topological order, labelled with the escaped id
      const nodes = dag.split('\n').filter((line) => /^\s+t\d+\["/.test(line));
      expect(nodes).to.have.length(6);
      expect(dag).to.include('t0["extract<br/>succeeded · 3 attempts"]');
      expect(dag).to.not.include('<script>');
      expect(dag).to.include('#60;script#62;alert(#34;x#34;)#60;/script#62;');
      expect(count(dag, / --> /g)).to.equal(workflowEdges(workflow).length);
      expect(dag).to.not.include('-.->');
      for (const [state, color] of Object.entries(TASK_STATE_COLORS)) {
        expect(dag).to.include(`classDef ${state} fill:${color.fill},stroke:${color.stroke},color:${color.text}`);
      }
      const classOf = (taskId: string): string => {
        const node = nodes.find((line) => line.includes(`["${taskId}<br/>`))!.trim().split('[')[0]!;
        return dag.split('\n').find((line) => line.trim().startsWith('class ') && line.trim().split(' ')[1]!.split(',').includes(node))!.trim().split(' ')[2]!;
      };
      expect(classOf('extract')).to.equal('succeeded');
      expect(classOf('transform')).to.equal('failed');
      expect(classOf('load')).to.equal('skipped');
      expect(classOf('report')).to.equal('skipped');
    });

    it('without the workflow, draws the graph recorded with the execution', async () => {
      const { workflow, result } = await runMixed(ctx);
      const dag = await inspectExecution(ctx.target.store, result.id, { format: 'mermaid' });
      expect(count(dag, / --> /g)).to.equal(workflowEdges(workflow).length);
      expect(dag).to.not.include('-.->');
      expect(dag).to.not.include('recorded without its graph');
    });

    it('for a row recorded without its graph, draws the edges that skip reasons prove, dashed, and says so', async () => {
      const { result } = await runMixed(ctx);
      const old = await withoutGraph(ctx.target.store, result.id);
      const dag = await inspectExecution(old, result.id, { format: 'mermaid' });
      expect(count(dag, / -\.-> /g)).to.equal(2); // transform -.-> load, load -.-> report
      expect(count(dag, / --> /g)).to.equal(0);
      expect(dag).to.include('%% This execution was recorded without its graph. 2 edge(s) were recovered from skip reasons');
      const html = await inspectExecution(old, result.id, { format: 'html' });
      expect(count(html, /<path class="dag-edge inferred"/g)).to.equal(2);
    });
  });

  it('dot: a digraph with nodes filled by state and quoted, escaped ids', async () => {
    const { workflow, result } = await runMixed(ctx);
    const text = await inspectExecution(ctx.target.store, result.id, { format: 'dot', workflow });
    expect(text.startsWith(`digraph "execution ${result.id}" {`)).to.equal(true);
    expect(text).to.include(`"transform" [label="transform\\nfailed · 2 attempts", fillcolor="${TASK_STATE_COLORS.failed.fill}"`);
    expect(text).to.include(`"${HOSTILE_ID.replace(/"/g, '\\"')}" [label=`);
    expect(count(text, / -> /g)).to.equal(workflowEdges(workflow).length);
  });

  it('json: the execution, tasks, edges, transitions and spans as recorded', async () => {
    const { workflow, result } = await runMixed(ctx);
    await ctx.engine.listSpans(result.id); // flushes the telemetry buffer
    const parsed = JSON.parse(await inspectExecution(ctx.target.store, result.id, { format: 'json', workflow })) as {
      execution: { id: string; status: string };
      tasks: { taskId: string; status: string; attempt: number }[];
      edges: { from: string; to: string; inferred: boolean }[];
      transitions: { seq: number; data: { event?: { type: string } } | null }[];
      spans: { taskId: string | null; attempt: number | null }[];
      notes: string[];
    };
    expect(parsed.execution).to.include({ id: result.id, status: 'failed' });
    expect(parsed.tasks.map((task) => task.taskId)).to.deep.equal(workflow.topologicalOrder);
    expect(parsed.edges.map((edge) => [edge.from, edge.to]).sort()).to.deep.equal(workflowEdges(workflow).sort());
    expect(parsed.transitions).to.have.length((await ctx.engine.listTransitions(result.id)).length);
    expect(parsed.transitions.every((transition) => typeof transition.data?.event?.type === 'string')).to.equal(true);
    const attempts = parsed.tasks.reduce((sum, task) => sum + task.attempt, 0);
    expect(parsed.spans.filter((span) => span.taskId !== null)).to.have.length(attempts);
    expect(parsed.notes).to.deep.equal([]);
  });

  describe('html', () => {
    it('is one self-contained page: no script, no external resource, a CSP forbidding both', async () => {
      const { workflow, result } = await runMixed(ctx);
      const html = await inspectExecution(ctx.target.store, result.id, { format: 'html', workflow });
      expect(html.startsWith('<!DOCTYPE html>')).to.equal(true);
      expect(html).to.include(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
      expect(html).to.not.match(/<script/i);
      expect(html).to.not.match(/\b(src|href)\s*=/i);
      expect(html.match(/https?:\/\/[^"\s]+/g) ?? []).to.deep.equal(['http://www.w3.org/2000/svg', 'http://www.w3.org/2000/svg']);
      expect(html).to.include('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &#39;q&#39; &amp; ünïcødé 🚀');
      expect(html).to.include('&lt;/td&gt;&lt;b&gt;bold?&lt;/b&gt;'); // a task output, in the tasks table
    });

    it('has one DAG node per task, one bar per attempt, one row per transition', async () => {
      const { workflow, result } = await runMixed(ctx);
      const html = await inspectExecution(ctx.target.store, result.id, { format: 'html', workflow });
      const details = await ctx.engine.getExecution(result.id);
      const attempts = Object.values(details.tasks).reduce((sum, task) => sum + task.attempts, 0);
      expect(count(html, /<g class="dag-node /g)).to.equal(6);
      expect(count(html, /<path class="dag-edge"/g)).to.equal(workflowEdges(workflow).length);
      expect(count(html, /<rect class="attempt-bar /g)).to.equal(attempts);
      expect(count(html, /<rect class="backoff-bar"/g)).to.equal(3); // extract ×2, transform ×1
      expect(count(html, /<tr data-seq=/g)).to.equal((await ctx.engine.listTransitions(result.id)).length);
      expect(html).to.include(`<g class="dag-node state-failed" data-task-id="transform" data-status="failed"`);
    });

    it('shows a cancelled execution: the cancelled attempt and the task that never ran', async () => {
      const { workflow, result } = await runCancelled(ctx);
      const html = await inspectExecution(ctx.target.store, result.id, { format: 'html', workflow });
      expect(html).to.include('<span class="badge state-cancelled" id="execution-status">cancelled</span>');
      expect(html).to.match(/<rect class="attempt-bar outcome-cancelled" data-task-id="slow" data-attempt="1"/);
      expect(html).to.match(/<path class="mark state-cancelled" data-task-id="after"/);
      expect(html).to.include('the user pressed stop'); // the cancel reason
    });

    it('marks an attempt its process stopped during, and the resume (stored whatever storeLogLevel says), and lists the logs', async () => {
      let runs = 0;
      const stale = deferred();
      const firstRun = deferred();
      const define = (wf: WorkflowBuilder) =>
        wf.addTask('long', 'Long', async (_input: unknown, task: TaskContext) => {
          runs += 1;
          task.logger.warn(`run ${runs} <b>of</b> long`);
          if (runs === 1) {
            firstRun.resolve();
            await stale.promise;
          }
          return 'done';
        });
      const first = await ctx.openEngine();
      first.publishWorkflow(define(first.createWorkflow('crashy')).build());
      const handle = first.start('crashy');
      handle.result.catch(() => undefined);
      await firstRun.promise;
      await waitUntil(async () => (await ctx.engine.getExecution(handle.id)).tasks['long']?.status === 'running', 'long is committed running');
      await first.close();
      const resumer = await ctx.reopenEngine({ storeLogLevel: 'warn' }); // info records are not stored, the resume is
      ctx.publish('crashy', define);
      const result = await resumer.resume(handle.id);
      stale.resolve();
      const html = await resumer.inspect(result.id, { format: 'html' }); // flushes the logs first
      const resumes = resumesFromLogs(await resumer.listLogs(result.id));
      expect(resumes).to.have.length(1);
      const long = (await resumer.listTransitions(result.id)).filter((transition) => transition.taskId === 'long');
      const seqOf = (to: string) => long.find((transition) => transition.to === to)!.seq;
      expect(resumes[0]!.afterSeq, 'read back after long started, before it succeeded').to.be.within(seqOf('running'), seqOf('succeeded') - 1);
      expect(count(html, /<rect class="interrupted-bar" data-task-id="long" data-attempt="1"/g)).to.equal(1);
      expect(count(html, /<rect class="attempt-bar outcome-succeeded" data-task-id="long" data-attempt="1"/g)).to.equal(1);
      expect(count(html, /<line class="resume-mark"/g)).to.equal(1);
      expect(html).to.include('(1 attempt;');
      expect(html).to.include('run 1 &lt;b&gt;of&lt;/b&gt; long').and.to.include('run 2 &lt;b&gt;of&lt;/b&gt; long');
      expect(html).to.match(/<td>Resumed execution [^<]* of crashy from seq \d+<\/td>/);
    });
  });

  it('rejects an unknown format and an unknown execution', async () => {
    const { result } = await runCancelled(ctx);
    const failure = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error);
    expect(await failure(inspectExecution(ctx.target.store, result.id, { format: 'pdf' as never }))).to.be.instanceOf(InvalidOptionsError);
    expect(await failure(inspectExecution(ctx.target.store, 'nope', { format: 'json' }))).to.be.instanceOf(ExecutionNotFoundError);
  });
});

describe('resumesFromLogs', () => {
  const log = (message: string, attributes: Record<string, unknown>, taskId: string | null = null): LogRecord => ({
    executionId: 'e1',
    taskId,
    attempt: null,
    level: 'info',
    message,
    attributes,
    at: new Date('2024-05-01T12:00:00.000Z'),
  });
  const at = Date.parse('2024-05-01T12:00:00.000Z');

  it('reads the seq a resume continued after from its record, whatever the message says', () => {
    expect(resumesFromLogs([log('the engine took the execution back', { resumedAfterSeq: 17 })])).to.deep.equal([{ at, afterSeq: 17 }]);
  });

  it("reads a record written before the attribute by its message, and no task's record", () => {
    const message = 'Resumed execution e1 of wf from seq 9';
    expect(resumesFromLogs([log(message, {}), log(message, {}, 'a task'), log('Resumed execution e1 of wf from seq many', {})])).to.deep.equal([{ at, afterSeq: 9 }]);
  });
});
