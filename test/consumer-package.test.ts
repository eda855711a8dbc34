/**
 * The package as a user gets it: build it, then compile and run a separate consumer package that
 * imports 'task-graph' (resolved through package.json "exports" to dist/) and uses the README's
 * API as written, under the strictest TypeScript settings.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

const CONSUMER = `
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDashboard, createEngine, NonRetryableError, WorkflowValidationError, WorkflowNotFoundError } from 'task-graph';
import type { ExecutionResult, TaskContext } from 'task-graph';

const engine = await createEngine({ storage: 'memory', concurrency: 8, logLevel: 'warn' });
const workflow = engine.createWorkflow('etl')
  .setDescription('extract then load')
  .addTask('extract', 'Extract rows', async (input: { source: string }, ctx: TaskContext) => ({ rows: 3, from: input.source, attempt: ctx.attempt }))
  .addTask('load', 'Load rows', async (input: { rows: number }) => ({ loaded: input.rows }),
           { retry: { maxAttempts: 3, initialDelayMs: 100, backoffFactor: 2, maxDelayMs: 10_000, jitter: 'full' },
             timeoutMs: 30_000 })
  .addDependency('extract', 'load')
  .build();
engine.publishWorkflow(workflow);
const seen: string[] = [];
engine.events.on('task.*', (event: { type: string }) => { seen.push(event.type); });
const controller = new AbortController();
const result: ExecutionResult = await engine.execute('etl', { source: 'a.csv' }, { concurrency: 4, failurePolicy: 'continue', signal: controller.signal });
const handle = engine.start('etl', { source: 'b.csv' }, {});
const progress = handle.progress();
const second = await handle.result;
let notFound = '';
try { await engine.execute('nope'); } catch (error) { if (error instanceof WorkflowNotFoundError) notFound = error.code; }
let invalid = '';
try { engine.createWorkflow('bad').build(); } catch (error) { if (error instanceof WorkflowValidationError) invalid = error.code; }
const nonRetryable = new NonRetryableError('stop').code;
const dashboard = createDashboard(engine);
const server = http.createServer(dashboard.handler);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = \`http://127.0.0.1:\${(server.address() as AddressInfo).port}\`;
const listed = (await (await fetch(\`\${base}/api/executions\`)).json()) as { executions: unknown[] };
const script = await fetch(\`\${base}/assets/execution.js\`);
const dashboardSeen = { executions: listed.executions.length, script: script.status };
await dashboard.close();
server.closeAllConnections();
server.close();
await engine.close();
console.log(JSON.stringify({ status: result.status, load: result.tasks['load']?.status, outputs: result.outputs, second: second.status,
  total: progress.total, handleId: typeof handle.id, events: seen.length, notFound, invalid, nonRetryable, dashboard: dashboardSeen }));
`;

/** Runs node with these arguments; on failure the error carries what the command printed. */
function run(args: string[], cwd: string): string {
  try {
    return execFileSync(process.execPath, args, { cwd, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`node ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

describe('a separate consumer package importing task-graph', function () {
  this.timeout(180_000);
  let dir: string | undefined;

  before(() => {
    run([TSC, '-p', path.join(ROOT, 'tsconfig.build.json')], ROOT);
    // as \`npm run build\` does after tsc: the dashboard's page scripts go into dist as they are
    cpSync(path.join(ROOT, 'lib', 'dashboard', 'public'), path.join(ROOT, 'dist', 'lib', 'dashboard', 'public'), { recursive: true });
    dir = mkdtempSync(path.join(os.tmpdir(), 'tg-consumer-'));
    mkdirSync(path.join(dir, 'node_modules'));
    symlinkSync(ROOT, path.join(dir, 'node_modules', 'task-graph'), 'dir');
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noUncheckedIndexedAccess: true,
          skipLibCheck: false, types: [], typeRoots: [path.join(ROOT, 'node_modules', '@types')], outDir: 'out',
        },
        include: ['main.ts'],
      }),
    );
    writeFileSync(path.join(dir, 'main.ts'), CONSUMER);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('type-checks against the published types and runs the README API', () => {
    const consumer = dir!;
    run([TSC, '-p', path.join(consumer, 'tsconfig.json')], consumer);
    const printed = run([path.join(consumer, 'out', 'main.js')], consumer);
    const summary = JSON.parse(printed.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(summary).to.deep.equal({
      status: 'succeeded',
      load: 'succeeded',
      outputs: { extract: { rows: 3, from: 'a.csv', attempt: 1 }, load: { loaded: 3 } },
      second: 'succeeded',
      total: 2,
      handleId: 'string',
      events: 8,
      notFound: 'WORKFLOW_NOT_FOUND',
      invalid: 'WORKFLOW_INVALID',
      nonRetryable: 'NON_RETRYABLE',
      dashboard: { executions: 2, script: 200 },
    });
  });
});
