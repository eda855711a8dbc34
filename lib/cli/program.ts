/**
 * The task-graph command: list, show, inspect, replay, resume, fork, run and prune executions
 * recorded in a store, and serve the dashboard over them. `--storage` defaults like the engine (TASK_GRAPH_STORAGE, else
 * ./.task-graph/task-graph.db). An error is one line on stderr and exit code 1.
 */
import { writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { taskMachine } from '../../machines/task.js';
import { createEngine } from '../engine/createEngine.js';
import { exportStatechart } from '../inspect/exportStatechart.js';
import type { Engine } from '../engine/Engine.js';
import { describeValues } from '../describeValue.js';
import { TaskGraphError, toError } from '../errors.js';
import type { FinishedExecutionStatus } from '../engine/pruneOptions.js';
import type { ExecutionStatus } from '../store/records.js';
import { isTerminalExecutionStatus } from '../store/records.js';
import { formatExecution, formatExecutionList, oneLine, retryDelaysOf, time } from './format.js';
import { formatLogRecord, LOG_LEVELS, matchesLogFilter } from './formatLogs.js';
import type { LogFilter, LogLevelName } from './formatLogs.js';
import { formatTrace } from './formatTrace.js';
import { loadWorkflowModule } from './loadWorkflowModule.js';
import { packageVersion } from './packageVersion.js';
import { DURATION_FORMS, parseDuration } from './parseDuration.js';
import { ProgressBar } from './ProgressBar.js';
import { serveDashboard } from './serveDashboard.js';
import { DEFAULT_DASHBOARD_HOST, DEFAULT_DASHBOARD_PORT } from '../defaults.js';

const FORMATS = ['mermaid', 'dot', 'json', 'html'] as const;
type Format = (typeof FORMATS)[number];

interface StorageOption {
  storage?: string;
}

async function withEngine<T>(options: StorageOption, work: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await createEngine({ storage: options.storage, logLevel: 'warn', recover: false }); // one command: it takes no other execution over
  try {
    return await work(engine);
  } finally {
    await engine.close();
  }
}

function integer(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError(`expected a non-negative integer, got ${JSON.stringify(value)}`);
  return parsed;
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError(`expected an integer >= 1, got ${JSON.stringify(value)}`);
  return parsed;
}

function format(value: string): Format {
  if (!(FORMATS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${FORMATS.join(', ')}, got ${JSON.stringify(value)}`);
  return value as Format;
}

interface Duration {
  text: string;
  ms: number;
}

function duration(value: string): Duration {
  const ms = parseDuration(value);
  if (ms === null) throw new InvalidArgumentError(`expected ${DURATION_FORMS}, got ${JSON.stringify(value)}`);
  return { text: value.trim(), ms };
}

/** `--status failed,cancelled`, or the option repeated. */
function statusList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((status) => status.trim())];
}

function logLevel(value: string): LogLevelName {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`);
  return value as LogLevelName;
}

function json(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    throw new InvalidArgumentError(`not valid JSON (${toError(error).message}): ${value}`);
  }
}

async function output(text: string, out: string | undefined): Promise<void> {
  if (out) {
    await writeFile(out, text);
    console.log(`Wrote ${out}`);
  } else {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}

export function buildProgram(): Command {
  const program = new Command('task-graph')
    .description('Inspect, replay, resume and run task-graph executions.')
    .version(packageVersion(), '-V, --version', 'print the version of task-graph')
    .configureOutput({ outputError: (text, write) => write(`task-graph: ${text.replace(/^error: /, '')}`) });
  const storage = '--storage <url>';
  const storageHelp = "'memory', 'sqlite:<path>', 'mysql://user:password@host:port/db' or 'postgres://…' (default: TASK_GRAPH_STORAGE or ./.task-graph/task-graph.db)";

  program
    .command('list')
    .description('list executions, newest first')
    .option(storage, storageHelp)
    .option('--workflow <id>', 'only this workflow')
    .option('--status <status>', 'only this status (pending, running, succeeded, failed, cancelled)')
    .option('--limit <n>', 'at most n', integer, 20)
    .action(async (options: StorageOption & { workflow?: string; status?: ExecutionStatus; limit: number }) => {
      await withEngine(options, async (engine) => {
        const records = await engine.listExecutions({
          ...(options.workflow ? { workflowId: options.workflow } : {}),
          ...(options.status ? { status: options.status } : {}),
          limit: options.limit,
        });
        console.log(formatExecutionList(records));
      });
    });

  program
    .command('show <id>')
    .description('show an execution and its tasks')
    .option(storage, storageHelp)
    .action(async (id: string, options: StorageOption) => {
      await withEngine(options, async (engine) => {
        const execution = await engine.getExecution(id);
        console.log(formatExecution(execution, retryDelaysOf(await engine.listTransitions(id))));
      });
    });

  program
    .command('logs <id>')
    .description("print an execution's stored log records (ctx.logger and the engine's), oldest first")
    .option(storage, storageHelp)
    .option('--task <id>', 'only the records of this task')
    .option('--level <level>', `only this level and the more severe (${LOG_LEVELS.join(', ')})`, logLevel)
    .option('--follow', 'keep printing new records until the execution has finished (polls the store: works from another process)')
    .option('--interval <ms>', 'with --follow, how often to poll', positiveInteger, 500)
    .action(async (id: string, options: StorageOption & { task?: string; level?: LogLevelName; follow?: boolean; interval: number }) => {
      await withEngine(options, async (engine) => {
        const filter: LogFilter = { ...(options.task === undefined ? {} : { taskId: options.task }), ...(options.level ? { level: options.level } : {}) };
        await printLogs(engine, id, filter, options.follow ? options.interval : null);
      });
    });

  program
    .command('trace <id>')
    .description("show an execution's spans as a tree with durations, and a waterfall")
    .option(storage, storageHelp)
    .option('--limit <n>', 'draw at most n attempts, the first to start (0: all)', integer, 200)
    .action(async (id: string, options: StorageOption & { limit: number }) => {
      await withEngine(options, async (engine) => {
        console.log(formatTrace(await engine.getExecution(id), await engine.listSpans(id), { limit: options.limit }));
      });
    });

  program
    .command('inspect <id>')
    .description('export an execution: its DAG coloured by state (mermaid, dot), all of it (json), a report (html)')
    .option(storage, storageHelp)
    .option('--format <format>', FORMATS.join('|'), format, 'mermaid' as Format)
    .option('--statechart', 'print the task statechart instead (mermaid, dot or json), as its own diagram')
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--module <file>', 'module publishing the workflow (adds the DAG edges)')
    .action(async (id: string, options: StorageOption & { format: Format; statechart?: boolean; out?: string; module?: string }) => {
      await withEngine(options, async (engine) => {
        if (options.statechart) {
          if (options.format === 'html') throw new InvalidArgumentError('--statechart prints mermaid, dot or json, not html');
          await engine.getExecution(id); // the id must still name an execution
          await output(exportStatechart(taskMachine, options.format), options.out);
          return;
        }
        if (options.module) await loadWorkflowModule(options.module, engine);
        await output(await engine.inspect(id, { format: options.format }), options.out);
      });
    });

  program
    .command('replay <id>')
    .description('print the recorded steps, or the state after step n')
    .option(storage, storageHelp)
    .option('--step <n>', 'show the whole state after this seq', integer)
    .option('--verify', 'check the recorded events against the current machines')
    .action(async (id: string, options: StorageOption & { step?: number; verify?: boolean }) => {
      await withEngine(options, async (engine) => {
        const steps = await engine.replay(id);
        if (options.step !== undefined) {
          const step = steps.find((candidate) => candidate.seq === options.step);
          if (!step) throw new TaskGraphError('REPLAY_STEP', `Execution ${id} has no step ${options.step} (steps 1..${steps.length}).`);
          console.log(JSON.stringify({ seq: step.seq, transition: { ...step.transition, snapshot: undefined }, state: step.state }, null, 2));
        } else {
          // Task counts per status, folded along the log (reading each step's whole state would
          // cost tasks × steps on a large execution).
          const first = steps[0];
          const counts = new Map<string, number>([['pending', first ? Object.keys(first.state.tasks).length : 0]]);
          let status = 'pending';
          for (const { transition } of steps) {
            if (transition.taskId === null) status = transition.to === 'cancelling' || transition.to === 'aborting' ? 'running' : transition.to;
            else {
              counts.set(transition.from ?? 'pending', (counts.get(transition.from ?? 'pending') ?? 0) - 1);
              counts.set(transition.to, (counts.get(transition.to) ?? 0) + 1);
            }
            const who = transition.taskId === null ? '(execution)' : oneLine(transition.taskId);
            const summary = [...counts].filter(([, n]) => n > 0).map(([name, n]) => `${name}:${n}`).join(' ');
            console.log(`${String(transition.seq).padStart(5)}  ${time(transition.at)}  ${who}  ${transition.from} → ${transition.to}  ${transition.event}  | ${status} ${summary}`);
          }
        }
        if (options.verify) {
          const verdict = await engine.verifyReplay(id);
          if (verdict.ok) console.log(`verifyReplay: ok (${verdict.steps} steps follow the current machines)`);
          else {
            const { seq, taskId, expected, actual } = verdict.firstDivergence;
            throw new TaskGraphError('REPLAY_DIVERGED', `replay diverges at seq ${seq} (${taskId ?? 'execution'}): recorded ${expected}, current machines give ${actual}`);
          }
        }
      });
    });

  program
    .command('resume <id>')
    .description('continue an unfinished execution from what was committed')
    .option(storage, storageHelp)
    .requiredOption('--module <file>', 'module publishing the workflows (default export or `register`: (engine) => void)')
    .option('--allow-version-mismatch', 'resume on a different published version with the same tasks')
    .action(async (id: string, options: StorageOption & { module: string; allowVersionMismatch?: boolean }) => {
      await withEngine(options, async (engine) => {
        await loadWorkflowModule(options.module, engine);
        const handle = await engine.resumeHandle(id, { allowVersionMismatch: options.allowVersionMismatch ?? false });
        const result = await follow(engine, handle);
        console.log(`Execution ${result.id}: ${result.status}`);
        process.exitCode = result.status === 'succeeded' ? 0 : 1;
      });
    });

  program
    .command('fork <id>')
    .description('re-run a finished execution from a task onward, as a new execution')
    .option(storage, storageHelp)
    .requiredOption('--from <task>', 'the task to run again (with everything downstream of it)')
    .requiredOption('--module <file>', 'module publishing the workflows')
    .action(async (id: string, options: StorageOption & { from: string; module: string }) => {
      await withEngine(options, async (engine) => {
        await loadWorkflowModule(options.module, engine);
        const source = await engine.getExecution(id);
        if (!Object.hasOwn(source.tasks, options.from)) {
          throw new TaskGraphError(
            'UNKNOWN_TASK',
            `--from ${JSON.stringify(options.from)} is not a task of workflow ${JSON.stringify(source.workflowId)}; its tasks: ${describeValues(Object.keys(source.tasks))}.`,
          );
        }
        const handle = await engine.fork(id, { fromTask: options.from });
        console.error(`Execution ${handle.id} forks ${id} from ${JSON.stringify(options.from)}`);
        const result = await follow(engine, handle, options.module);
        console.log(`Execution ${result.id}: ${result.status}`);
        process.exitCode = result.status === 'succeeded' ? 0 : 1;
      });
    });

  program
    .command('run <module>')
    .description('run a workflow published by a module, with a progress bar')
    .option(storage, storageHelp)
    .requiredOption('--workflow <id>', 'the workflow to run')
    .option('--input <json>', 'the execution input', json, {})
    .option('--concurrency <n>', 'tasks at once (default: 8)', positiveInteger)
    .action(async (module: string, options: StorageOption & { workflow: string; input: unknown; concurrency?: number }) => {
      await withEngine(options, async (engine) => {
        await loadWorkflowModule(module, engine);
        const handle = engine.start(options.workflow, options.input, options.concurrency === undefined ? {} : { concurrency: options.concurrency });
        console.error(`Execution ${handle.id} of ${options.workflow} started on ${engine.storage}`);
        const result = await follow(engine, handle, module);
        console.log(`Execution ${result.id}: ${result.status}`);
        process.exitCode = result.status === 'succeeded' ? 0 : 1;
      });
    });

  program
    .command('prune')
    .description('delete finished executions, with everything recorded of them')
    .option(storage, storageHelp)
    .requiredOption('--older-than <duration>', `only those finished at least this long ago: ${DURATION_FORMS}; 0s for all`, duration)
    .option('--status <status>', 'only this status (succeeded, failed, cancelled); repeat it or list them: failed,cancelled', statusList)
    .action(async (options: StorageOption & { olderThan: Duration; status?: string[] }) => {
      await withEngine(options, async (engine) => {
        const statuses = options.status as FinishedExecutionStatus[] | undefined;
        const { deleted } = await engine.prune({ olderThan: options.olderThan.ms, ...(statuses ? { status: statuses } : {}) });
        const which = (statuses ?? ['succeeded', 'failed', 'cancelled']).join(', ');
        console.log(`Deleted ${deleted} execution${deleted === 1 ? '' : 's'} (${which}) that finished ${options.olderThan.text} or more ago, from ${engine.storage}.`);
      });
    });

  program
    .command('serve')
    .description('serve the live dashboard: executions, a live DAG, a replay slider, actions')
    .option(storage, storageHelp)
    .option('--port <n>', `port (default: ${DEFAULT_DASHBOARD_PORT}; 0 for any free one)`, integer, DEFAULT_DASHBOARD_PORT)
    .option('--host <address>', `address to bind (default: ${DEFAULT_DASHBOARD_HOST}, this machine only)`, DEFAULT_DASHBOARD_HOST)
    .option('--token <token>', 'bearer token every API request must carry (default: TASK_GRAPH_DASHBOARD_TOKEN)')
    .option('--allow-actions', 'allow cancel, resume and fork (a token is required; one is generated if none is given)')
    .option('--module <file>', 'module publishing the workflows (needed to resume and fork)')
    .action(async (options: StorageOption & { port: number; host: string; token?: string; allowActions?: boolean; module?: string }) => {
      const running = await serveDashboard(options);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await running.close();
    });

  return program;
}

/**
 * Prints the execution's log records that pass `filter`. With `followEveryMs`, polls the store for
 * new ones (records are read back in insertion order: the new ones are the tail) until the
 * execution has finished and a poll after that found nothing more (the running process writes its
 * last records a moment after the final transition).
 */
async function printLogs(engine: Engine, id: string, filter: LogFilter, followEveryMs: number | null): Promise<void> {
  let printed = 0;
  let quietAfterEnd = 0;
  for (;;) {
    const finished = isTerminalExecutionStatus((await engine.getExecution(id)).status);
    const records = await engine.listLogs(id);
    for (const record of records.slice(printed)) if (matchesLogFilter(record, filter)) console.log(formatLogRecord(record));
    const fresh = records.length - printed;
    printed = records.length;
    if (followEveryMs === null) return;
    if (finished) {
      quietAfterEnd = fresh === 0 ? quietAfterEnd + 1 : 0;
      if (quietAfterEnd >= 2) return;
    }
    await new Promise((resolve) => setTimeout(resolve, followEveryMs));
  }
}

/** Shows progress until the handle settles; on Ctrl-C leaves the execution resumable. */
async function follow(engine: Engine, handle: import('../engine/ExecutionHandle.js').ExecutionHandle, module?: string) {
  const bar = new ProgressBar();
  const redraw = () => bar.update(handle.progress());
  engine.events.on('task.*', redraw);
  const interrupt = () => {
    bar.end();
    console.error(`Interrupted. The execution stays resumable: task-graph resume ${handle.id} --module ${module ?? '<module>'}`);
    void engine.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  try {
    return await handle.result;
  } finally {
    process.off('SIGINT', interrupt);
    engine.events.off('task.*', redraw);
    redraw();
    bar.end();
  }
}

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    console.error(`task-graph: ${toError(error).message}`);
    process.exitCode = 1;
  }
}
