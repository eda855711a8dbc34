/**
 * The HTML report of a large execution is summarised: above 2,000 tasks it keeps the unusual
 * tasks first (failed, cancelled, retried) up to that many rows, draws no DAG, keeps the first
 * and last 1,000 transitions, and says what it left out. (A 100,000-task report was a 256 MB
 * file; the size reached here is checked loosely, as bytes, not time.)
 */
import { expect } from 'chai';
import { renderHtmlReport } from '../lib/inspect/html/renderHtmlReport.js';
import { DETAIL_LIMIT } from '../lib/inspect/html/summarizeReport.js';
import type { InspectionData } from '../lib/inspect/inspectionData.js';
import type { TaskRunRecord, TransitionRecord } from '../lib/store/records.js';
import { at, execution, taskRun, transition } from './support/records.js';

function count(text: string, pattern: RegExp): number {
  return (text.match(pattern) ?? []).length;
}

/** `tasks` tasks, each pending → running → succeeded, but for a few that failed after a retry. */
function largeExecution(tasks: number): InspectionData {
  const rows: TaskRunRecord[] = [];
  const transitions: TransitionRecord[] = [];
  let seq = 0;
  for (let i = 0; i < tasks; i++) {
    const id = `task-${i}`;
    const failed = i % 25_000 === 7;
    rows.push(taskRun('e1', id, { status: failed ? 'failed' : 'succeeded', attempt: failed ? 2 : 1, startedAt: at(i), finishedAt: at(i + 5) }));
    transitions.push(transition('e1', ++seq, { taskId: id, from: 'pending', to: 'running', at: at(i) }));
    transitions.push(transition('e1', ++seq, { taskId: id, from: 'running', to: failed ? 'failed' : 'succeeded', at: at(i + 5) }));
  }
  return {
    execution: execution('e1', { status: 'failed', startedAt: at(0), finishedAt: at(tasks + 5), graph: null }),
    tasks: rows,
    edges: [],
    transitions,
    spans: [],
    logs: [],
    notes: [],
  };
}

describe('the HTML report of a large execution', () => {
  it('keeps the unusual tasks first, no DAG, the ends of the transition log, and says so', () => {
    const html = renderHtmlReport(largeExecution(100_000));
    expect(count(html, /<g class="dag-node /g)).to.equal(0);
    expect(html).to.include('100000 tasks: the graph is not drawn above 2000 tasks');
    const taskRows = [...html.matchAll(/<tr data-task-id="([^"]+)">/g)].map((match) => match[1]);
    expect(taskRows).to.have.length(DETAIL_LIMIT);
    expect(taskRows.slice(0, 4)).to.deep.equal(['task-7', 'task-25007', 'task-50007', 'task-75007']);
    expect(count(html, /<tr data-seq=/g)).to.equal(2_000);
    expect(html).to.include('<tr data-seq="1" ').and.to.include('<tr data-seq="200000" ');
    expect(html).to.include('the 198000 between are left out');
    expect(html).to.include(`${100_000 - DETAIL_LIMIT} more tasks are not shown here`);
    expect(html).to.include('<span class="badge state-succeeded">99996 succeeded</span>'); // the summary counts every task
    expect(Buffer.byteLength(html)).to.be.below(10_000_000);
  });

  it('keeps every task of a small execution, with its duration', () => {
    const html = renderHtmlReport(largeExecution(30));
    expect(count(html, /<g class="dag-node /g)).to.equal(30);
    expect(count(html, /<tr data-task-id=/g)).to.equal(30);
    expect(count(html, /<tr data-seq=/g)).to.equal(60);
    expect(html).to.not.include('not shown here');
    expect(html).to.include('<td class="num">5 ms</td>');
  });
});
