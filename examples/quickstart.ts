/**
 * The seed's example, ported: a two-task workflow on the embedded SQLite store.
 *
 *   npm run demo
 *
 * Executions are recorded in .task-graph/task-graph.db (or TASK_GRAPH_STORAGE), so the CLI and a
 * later run can inspect, replay and resume them.
 */
import { createEngine } from '../lib/index.js';
import type { TaskContext } from '../lib/index.js';

interface DemoInput {
  data: string;
}

async function processData(input: DemoInput, ctx: TaskContext): Promise<{ processed: boolean; length: number }> {
  ctx.logger.info('processing', { data: input.data });
  if (ctx.attempt === 1) throw new Error('a transient failure on the first attempt (retried)');
  return { processed: true, length: input.data.length };
}

async function saveResult(input: DemoInput & { processed: boolean; length: number }, ctx: TaskContext): Promise<{ saved: boolean }> {
  ctx.logger.info('saving', { length: input.length });
  return { saved: input.processed };
}

/** The storage URL as one shell word (a path with spaces or quotes stays one argument). */
function quoteForShell(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

const engine = await createEngine({ logLevel: 'warn' });
try {
  const workflow = engine
    .createWorkflow('my-workflow')
    .setDescription('my first workflow')
    .addTask('task1', 'process data', processData, { retry: { maxAttempts: 3, initialDelayMs: 50, jitter: 'none' } })
    .addTask('task2', 'save result', saveResult, { timeoutMs: 5_000 })
    .addDependency('task1', 'task2')
    .build();
  engine.publishWorkflow(workflow);

  engine.events.on('task.*', (event) => {
    console.log(`  ${event.type.padEnd(15)} ${event.taskId} (attempt ${event.attempt})`);
  });

  console.log(`Running ${workflow.id} (version ${workflow.version}) on ${engine.storage}`);
  const execution = await engine.execute(workflow.id, { data: 'Hello, World!' });
  console.log(`Execution ${execution.id}: ${execution.status}`);
  console.log(`Outputs: ${JSON.stringify(execution.outputs)}`);
  const transitions = await engine.listTransitions(execution.id);
  console.log(`${transitions.length} transitions recorded.`);
  console.log('\nInspect and replay it:');
  console.log(`  npx task-graph show ${execution.id}`);
  console.log(`  npx task-graph inspect ${execution.id} --format html --out report.html`);
  console.log(`  npx task-graph replay ${execution.id}`);
  console.log('\nSee a crash and a resume: start a longer run, kill it half-way (Ctrl-C or kill -9), resume it:');
  console.log('  npx task-graph run examples/workflows.ts --workflow nightly-etl');
  console.log('  npx task-graph list --status running');
  console.log('  npx task-graph resume <id> --module examples/workflows.ts');
  console.log('\nWatch it in the dashboard (live: runs started in other terminals show as they go):');
  if (engine.storage === 'memory') console.log('  (this run used the memory store, which no other process sees: unset TASK_GRAPH_STORAGE)');
  else console.log(`  npx task-graph serve --storage ${quoteForShell(engine.storage)}   then open http://127.0.0.1:4480/executions/${execution.id}`);
} finally {
  await engine.close();
}
