import { WorkflowBuilder } from './WorkflowBuilder.js';
import type { WorkflowOptions } from './types.js';

/**
 * A workflow builder without an engine, for workflows defined in their own module or passed to
 * `createEngine({ workflows })`. `engine.createWorkflow(id)` is the same builder.
 * `options.version` names the version (default: a hash of the definition).
 * @example const workflow = createWorkflow('etl', { version: '2025-06' }).addTask('a', 'A', fn).build();
 */
export function createWorkflow(id: string, options: WorkflowOptions = {}): WorkflowBuilder {
  return new WorkflowBuilder(id, options);
}
