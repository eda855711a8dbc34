/**
 * examples/otel.ts runs as a user would run it (`npx tsx examples/otel.ts`, here through node and
 * tsx's loader) and shows the execution nested under the caller's span, the attempts under the
 * execution, the task code's span under its attempt, and the metrics.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('examples/otel.ts', function () {
  this.timeout(60_000);

  it('prints the span tree under the caller span, and the metrics', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'examples/otel.ts'], { cwd: ROOT });
    const lines = stdout.split('\n');
    const depth = (prefix: string) => {
      const line = lines.find((candidate) => candidate.trimStart().startsWith(prefix));
      expect(line, `a line starting with ${prefix}\n${stdout}`).to.not.equal(undefined);
      return line!.length - line!.trimStart().length;
    };
    expect(stdout).to.match(/^execution \S+: succeeded$/m);
    expect(depth('execution report')).to.equal(depth('POST /reports') + 2);
    expect(depth('task fetch (attempt 1)')).to.equal(depth('execution report') + 2);
    expect(depth('GET inventory-service/rows')).to.equal(depth('task fetch (attempt 1)') + 2);
    expect(stdout).to.match(/task transform \(attempt 1\)\s+\S+ ms\s+retrying/);
    expect(stdout).to.match(/task transform \(attempt 2\)\s+\S+ ms\s+succeeded/);
    expect(stdout).to.contain('task_graph.executions{task_graph.outcome="succeeded"} 1');
    expect(stdout).to.contain('task_graph.task.attempts{task_graph.outcome="succeeded"} 3');
    expect(stdout).to.contain('task_graph.task.attempts{task_graph.outcome="retrying"} 1');
    expect(stdout).to.match(/task_graph\.task\.queue_wait count=4 /);
    expect(stdout).to.match(/task_graph\.store\.commit\.size count=\d+ sum=10\.0000/);
  });
});
