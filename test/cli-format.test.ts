/**
 * What `task-graph list` and `show` print, from records: ids are the user's strings, so a table
 * must stay one line per row and readable whatever they hold.
 */
import { expect } from 'chai';
import { displayWidth } from '../lib/cli/displayWidth.js';
import { DEFAULT_OWNER_STALE_AFTER_MS } from '../lib/defaults.js';
import { formatExecutionList, MAX_COLUMN_WIDTH, oneLine, table } from '../lib/cli/format.js';
import { at, execution } from './support/records.js';

describe('CLI tables', () => {
  // Regression: a newline in a workflow id broke the row in two.
  it('keeps each row on one line, writing control characters as escapes', () => {
    const text = formatExecutionList([
      execution('e1', { workflowId: 'two\nlines', status: 'succeeded' }),
      execution('e2', { workflowId: 'tab\there\r\u001b[31mred\u2028', status: 'failed' }),
    ]);
    const lines = text.split('\n');
    expect(lines).to.have.length(4);
    expect(lines[2]).to.match(/^e1 {2}two\\nlines +succeeded/);
    expect(lines[3]).to.contain('tab\\there\\r\\u001b[31mred\\u2028');
    expect(text).not.to.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
  });

  // Regression: one long id padded every row of the table to its length.
  it('pads a column only up to a limit: a longer cell pushes its own row, not the others', () => {
    const long = `w${'x'.repeat(99)}`;
    const lines = formatExecutionList([
      execution('e1', { workflowId: 'short', status: 'succeeded', createdAt: at(0) }),
      execution('e2', { workflowId: long, status: 'failed', createdAt: at(0) }),
    ]).split('\n');
    const statusColumn = lines[0]!.indexOf('status');
    expect(statusColumn).to.equal('e1'.length + 2 + MAX_COLUMN_WIDTH + 2);
    expect(lines[2]!.indexOf('succeeded')).to.equal(statusColumn);
    expect(lines[3]).to.contain(`${long}  failed`);
    expect(lines[1]).to.equal(lines[1]!.trimEnd());
  });

  it('pads narrow columns to their widest cell, in terminal columns', () => {
    expect(table(['id', 'status'], [['🐬', 'ok'], ['abc', 'failed'], ['任务', 'ok'], ['e\u0301', 'ok']])).to.equal(
      ['id    status', '----  ------', '🐬    ok', 'abc   failed', '任务  ok', 'e\u0301     ok'].join('\n'),
    );
  });

  for (const [text, columns] of [
    ['abc', 3],
    ['任务一', 6],
    ['ＡＢ', 4],
    ['한국', 4],
    ['🐬', 2],
    ['👩‍💻', 2],
    ['❤️', 2],
    ['©', 1],
    ['e\u0301', 1],
    ['a\u200bb', 2],
  ] as const) {
    it(`counts ${JSON.stringify(text)} as ${columns} terminal columns`, () => expect(displayWidth(text)).to.equal(columns));
  }

  it('oneLine leaves printable text alone', () => {
    expect(oneLine('任务一 ümlaut "quoted" \\ slash')).to.equal('任务一 ümlaut "quoted" \\ slash');
  });
});

describe('CLI list: orphaned executions', () => {
  const now = at(60_000).getTime();
  const status = (overrides: Parameters<typeof execution>[1]) => formatExecutionList([execution('e1', overrides)], { now }).split('\n')[2]!;

  // Regression: an execution whose process had died showed as plain "running", as if it moved.
  it('says an unfinished execution with no owner, or with an owner whose heartbeat is stale, is orphaned and resumable', () => {
    expect(status({ status: 'running', ownerId: null, heartbeatAt: null })).to.contain('running (orphaned, resumable)');
    expect(status({ status: 'pending', ownerId: null, heartbeatAt: null })).to.contain('pending (orphaned, resumable)');
    const stale = at(60_000 - DEFAULT_OWNER_STALE_AFTER_MS - 1);
    expect(status({ status: 'running', ownerId: 'dead-engine', heartbeatAt: stale })).to.contain('running (orphaned, resumable)');
  });

  it('says nothing more of an execution whose owner beat recently, or of a finished one', () => {
    const fresh = at(60_000 - DEFAULT_OWNER_STALE_AFTER_MS + 1000);
    expect(status({ status: 'running', ownerId: 'live-engine', heartbeatAt: fresh })).to.match(/ running {2}/).and.not.contain('orphaned');
    expect(status({ status: 'failed', ownerId: null, heartbeatAt: null })).to.match(/ failed {2}/).and.not.contain('orphaned');
  });

  it('takes the staleness limit it is given', () => {
    const tenSecondsAgo = at(50_000);
    expect(formatExecutionList([execution('e1', { status: 'running', ownerId: 'x', heartbeatAt: tenSecondsAgo })], { now, ownerStaleAfterMs: 5_000 })).to.contain('orphaned');
  });
});
