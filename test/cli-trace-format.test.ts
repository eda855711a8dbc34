/**
 * The waterfall of `task-graph trace`, from spans made here: bars on one time axis, a limit on the
 * attempts drawn, and an unfinished execution (no execution span yet) drawn up to now.
 */
import { expect } from 'chai';
import { formatTrace } from '../lib/cli/formatTrace.js';
import type { SpanRecord } from '../lib/index.js';

const at = (ms: number) => new Date(Date.UTC(2025, 5, 1) + ms);
function attempt(taskId: string, n: number, from: number, to: number, status = 'ok'): SpanRecord {
  return { spanId: `${taskId}${n}`, parentSpanId: 'e', executionId: 'e', taskId, attempt: n, name: taskId, status, startedAt: at(from), finishedAt: at(to), attributes: {} };
}
const execution = { workflowId: 'etl', status: 'succeeded' as const, createdAt: at(0), startedAt: at(0), finishedAt: at(1000) };
const root: SpanRecord = { spanId: 'e', parentSpanId: null, executionId: 'e', taskId: null, attempt: null, name: 'etl', status: 'succeeded', startedAt: at(0), finishedAt: at(1000), attributes: {} };
const bars = (text: string) => text.split('\n').filter((line) => line.includes('|')).map((line) => line.slice(line.indexOf('|') + 1, line.lastIndexOf('|')));

describe('task-graph trace waterfall', () => {
  it('puts each span on a common 40-column axis: where it starts and how long it runs', () => {
    const text = formatTrace(execution, [root, attempt('load', 1, 500, 750, 'error'), attempt('extract', 1, 0, 250)]);
    const lines = text.split('\n');
    expect(lines[0]).to.match(/^span\s+status\s+duration\s+0 ms\s+1\.00 s$/);
    expect(lines.slice(1).map((line) => line.trim().split(/\s{2,}/).slice(0, 3))).to.deep.equal([
      ['execution etl', 'succeeded', '1.00 s'],
      ['task extract #1', 'ok', '250 ms'],
      ['task load #1', 'error', '250 ms'],
    ]);
    expect(lines[2]).to.match(/^  task extract/); // attempts are indented under the execution
    expect(bars(text)).to.deep.equal(['#'.repeat(40), '#'.repeat(10) + ' '.repeat(30), ' '.repeat(20) + '#'.repeat(10) + ' '.repeat(10)]);
  });

  it('draws at most limit attempts and says how many more there are', () => {
    const spans = [root, ...Array.from({ length: 5 }, (_, i) => attempt(`t${i}`, 1, i * 100, i * 100 + 50))];
    const text = formatTrace(execution, spans, { limit: 2 });
    expect(bars(text)).to.have.length(3);
    expect(text).to.contain('… 3 more attempts (--limit 0 shows all)');
  });

  it('draws an unfinished execution, which has no execution span yet, up to now', () => {
    const running = { workflowId: 'etl', status: 'running' as const, createdAt: at(0), startedAt: at(0), finishedAt: null };
    const text = formatTrace(running, [attempt('extract', 1, 0, 100)], { now: at(400).getTime() });
    expect(text.split('\n')[1]).to.match(/^execution etl\s+running\s+400 ms/);
    expect(bars(text)[1]).to.equal('#'.repeat(10) + ' '.repeat(30));
    expect(text).to.contain('no execution span yet: the execution is running');
  });
});
