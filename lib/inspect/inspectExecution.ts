/**
 * `inspectExecution`: one execution, as recorded, rendered for people (Mermaid, DOT, a
 * self-contained HTML report) or for programs (JSON). See inspectionData.ts for what is read
 * and where the DAG's edges come from.
 */
import { InvalidOptionsError } from '../errors.js';
import type { Store } from '../store/Store.js';
import type { Workflow } from '../workflow/Workflow.js';
import { dagToDot } from './dagToDot.js';
import { dagToMermaid } from './dagToMermaid.js';
import { renderHtmlReport } from './html/renderHtmlReport.js';
import { loadInspectionData } from './inspectionData.js';

export type InspectFormat = 'mermaid' | 'dot' | 'json' | 'html';

export interface InspectOptions {
  format: InspectFormat;
  /**
   * The workflow whose edges to draw. Without it, the graph recorded with the execution is used;
   * for an execution recorded without one (an older row), only the edges proven by skip reasons
   * are drawn (dashed). @defaultValue none
   */
  workflow?: Workflow;
}

/**
 * Renders an execution from its store:
 * - `'mermaid'`: a `flowchart LR` of the DAG with one `classDef` per task state, alone (Mermaid
 *   renders one diagram per block; the task statechart is `exportStatechart(taskMachine, 'mermaid')`);
 * - `'dot'`: a Graphviz digraph with nodes filled by state;
 * - `'json'`: `{ execution, tasks, edges, transitions, spans, notes }`;
 * - `'html'`: one self-contained, script-free page (inline SVG DAG, timeline of every attempt,
 *   tasks, transition table) that works offline.
 * @throws ExecutionNotFoundError when the store has no such execution
 * @throws InvalidOptionsError for an unknown format
 * @example
 * import { writeFile } from 'node:fs/promises';
 * const html = await inspectExecution(store, executionId, { format: 'html', workflow });
 * await writeFile('execution.html', html);
 */
export async function inspectExecution(store: Store, executionId: string, options: InspectOptions): Promise<string> {
  const format: unknown = options?.format;
  if (format !== 'mermaid' && format !== 'dot' && format !== 'json' && format !== 'html') {
    throw new InvalidOptionsError('format', format, "'mermaid', 'dot', 'json' or 'html'");
  }
  const data = await loadInspectionData(store, executionId, options.workflow, { snapshots: format === 'json' });
  switch (format) {
    case 'mermaid':
      return `${dagToMermaid(data)}\n`;
    case 'dot':
      return dagToDot(data);
    case 'json': {
      const { execution, tasks, edges, transitions, spans, notes } = data;
      return `${JSON.stringify({ execution, tasks, edges, transitions, spans, notes }, null, 2)}\n`;
    }
    case 'html':
      return renderHtmlReport(data);
  }
}
