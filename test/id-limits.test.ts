/**
 * Workflow and task ids have one length limit, in characters, the same on every store: `build()`
 * refuses a longer id with a WorkflowValidationError (MariaDB would refuse it only at execute,
 * "Data too long", while memory and SQLite took it), and an id of exactly the limit runs and
 * reads back unchanged everywhere, even when each character takes four bytes.
 */
import { expect } from 'chai';
import { MAX_ID_LENGTH, WorkflowValidationError } from '../lib/index.js';
import type { WorkflowBuilder } from '../lib/index.js';
import { forEachStore } from './support/engines.js';

function buildError(builder: WorkflowBuilder): WorkflowValidationError {
  try {
    builder.build();
  } catch (error) {
    expect(error).to.be.instanceOf(WorkflowValidationError);
    return error as WorkflowValidationError;
  }
  expect.fail('build() accepted an id longer than the limit');
}

forEachStore('id length limit', (ctx) => {
  it('is 191 characters', () => {
    expect(MAX_ID_LENGTH).to.equal(191);
  });

  it('refuses a 300-character workflow id at build(), naming the id and the limit', () => {
    const id = 'w'.repeat(300);
    const error = buildError(ctx.engine.createWorkflow(id).addTask('a', 'A', () => 1));
    expect(error.reason).to.equal('ID_TOO_LONG');
    expect(error.workflowId).to.equal(id);
    expect(error.message).to.contain('Workflow id').and.to.contain('www').and.to.contain('300 characters').and.to.contain('191');
  });

  it('refuses a task id of 255 "é" at build(), naming the id and the limit', () => {
    const id = 'é'.repeat(255);
    const error = buildError(ctx.engine.createWorkflow('wf').addTask('a', 'A', () => 1).addTask(id, 'Long', () => 2));
    expect(error.reason).to.equal('ID_TOO_LONG');
    expect(error.ids).to.deep.equal([id]);
    expect(error.message).to.contain('Task id').and.to.contain('ééé').and.to.contain('255 characters').and.to.contain('191');
  });

  it('runs ids of exactly 191 characters, four bytes each, and reads them back unchanged', async () => {
    const workflowId = '🐬'.repeat(MAX_ID_LENGTH);
    const taskId = 'é'.repeat(MAX_ID_LENGTH - 1) + '🐟';
    ctx.publish(workflowId, (builder) => builder.addTask(taskId, 'T', () => 'ok').addTask('next', 'N', (input) => input).addDependency(taskId, 'next'));
    const result = await ctx.engine.execute(workflowId, {});
    expect(result.status).to.equal('succeeded');
    expect(result.tasks[taskId]!.output).to.equal('ok');
    const stored = await ctx.engine.getExecution(result.id);
    expect(stored.workflowId).to.equal(workflowId);
    expect(Object.keys(stored.tasks).sort()).to.deep.equal(['next', taskId].sort());
  });
});
