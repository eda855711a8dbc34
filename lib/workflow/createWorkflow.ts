import { WorkflowBuilder } from './WorkflowBuilder.js';

/**
 * A workflow builder without an engine, for workflows defined in their own module or passed to
 * `createEngine({ workflows })`. `engine.createWorkflow(id)` is the same builder.
 * @example const workflow = createWorkflow('etl').addTask('a', 'A', fn).build();
 */
export function createWorkflow(id: string): WorkflowBuilder {
  return new WorkflowBuilder(id);
}
