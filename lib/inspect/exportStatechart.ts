/**
 * `exportStatechart`: a machine's definition as a diagram (Mermaid, DOT) or as its JSON
 * definition. See statechartModel.ts for what xstate's `toJSON()` gives and how it is read.
 */
import type { AnyStateMachine } from 'xstate';
import { InvalidOptionsError } from '../errors.js';
import { buildStatechartModel } from './statechartModel.js';
import { statechartToDot } from './statechartToDot.js';
import { statechartToMermaid } from './statechartToMermaid.js';

export type StatechartFormat = 'mermaid' | 'dot' | 'json';

/**
 * Renders a machine as a Mermaid `stateDiagram-v2`, a Graphviz digraph, or the JSON of
 * `machine.toJSON()` (inline actions and guards, being functions, appear as `null`).
 *
 * Done events of invoked actors are labelled readably: `xstate.done.actor.attempt` with guard
 * `attemptSucceeded` reads `attempt done [attemptSucceeded]`, the wildcard `xstate.done.actor.*`
 * reads `any actor done`.
 * @throws InvalidOptionsError for an unknown format
 *
 * @example
 * import { exportStatechart, taskMachine } from 'task-graph';
 * const mermaid = exportStatechart(taskMachine, 'mermaid');
 * // stateDiagram-v2
 * //   [*] --> pending
 * //   pending --> running : task.start
 * //   running --> succeeded : attempt done [attemptSucceeded]
 * //   ...
 */
export function exportStatechart(machine: AnyStateMachine, format: StatechartFormat): string {
  const model = buildStatechartModel(machine);
  switch (format) {
    case 'mermaid':
      return statechartToMermaid(model);
    case 'dot':
      return statechartToDot(model);
    case 'json':
      return `${JSON.stringify(model.json, null, 2)}\n`;
    default:
      throw new InvalidOptionsError('format', format, "'mermaid', 'dot' or 'json'");
  }
}
