/**
 * The fluent builder behind `engine.createWorkflow(id)`. It records what it is told and checks
 * everything in `build()`, which returns an immutable {@link Workflow} or throws a
 * `WorkflowValidationError` naming the offending ids.
 */
import { WorkflowValidationError, describeValue } from '../errors.js';
import type { TaskDefinition, TaskFunction, TaskOptions, WorkflowOptions } from './types.js';
import { MAX_VERSION_LENGTH } from '../defaults.js';
import { describeSuggestion, findUnknownOption, formatKey, optionKeys } from '../unknownOption.js';
import type { UnknownOption } from '../unknownOption.js';
import { computeDefinitionHash } from './Workflow.js';
import type { Workflow } from './Workflow.js';
import type { WorkflowGraph } from '../store/records.js';
import { topologicalOrder, validateIdLength, validateTaskDefinition } from './validateWorkflow.js';

/** The keys of a task's options; any other is refused at build() (a typo would otherwise be ignored). */
const TASK_OPTION_KEYS = optionKeys<TaskOptions>({ retry: true, timeoutMs: true, queue: true });
/** The keys of a workflow's options (createWorkflow's second argument), checked at build() too. */
const WORKFLOW_OPTION_KEYS = optionKeys<WorkflowOptions>({ version: true });

export class WorkflowBuilder {
  private description = '';
  private readonly tasks = new Map<string, TaskDefinition>();
  private readonly edges: [string, string][] = [];
  private readonly edgeKeys = new Set<string>();
  private readonly duplicateIds: string[] = [];
  /** The first unknown key of each task's options (checked at build()). */
  private readonly unknownOptions = new Map<string, UnknownOption>();

  constructor(
    readonly id: string,
    private readonly options: WorkflowOptions = {},
  ) {}

  /** @example builder.setDescription('extract then load') */
  setDescription(description: string): this {
    this.description = description;
    return this;
  }

  /**
   * Adds a task. `name` is a human label; `fn(input, ctx)` does the work.
   * @example builder.addTask('extract', 'Extract rows', async (input) => ({ rows: 3 }), { timeoutMs: 30_000 })
   */
  addTask(id: string, name: string, fn: TaskFunction, options: TaskOptions = {}): this {
    if (this.tasks.has(id)) this.duplicateIds.push(id);
    const unknown = findUnknownOption(options, TASK_OPTION_KEYS);
    if (unknown) this.unknownOptions.set(id, unknown);
    else this.unknownOptions.delete(id);
    this.tasks.set(id, {
      id,
      name: typeof name === 'string' && name.length > 0 ? name : String(id),
      fn,
      retry: options.retry,
      timeoutMs: options.timeoutMs === undefined ? null : options.timeoutMs,
      queue: options.queue === undefined ? null : options.queue,
    });
    return this;
  }

  /**
   * Declares that `to` starts only after `from` succeeded; `to` receives `from`'s output.
   * @example builder.addDependency('extract', 'load')
   */
  addDependency(from: string, to: string): this {
    const key = JSON.stringify([from, to]);
    if (!this.edgeKeys.has(key)) {
      this.edgeKeys.add(key);
      this.edges.push([from, to]);
    }
    return this;
  }

  /**
   * Validates and freezes the workflow.
   * @throws WorkflowValidationError for an empty workflow, an id longer than 191 characters
   *   (`MAX_ID_LENGTH`), a duplicate task id, a task that is not a function, an unknown workflow
   *   option, task option or retry key, a bad retry or timeout value, a dependency on an unknown task, a
   *   self-dependency, or a cycle (the error names its path).
   * @example const workflow = engine.createWorkflow('etl').addTask('a', 'A', fn).build();
   */
  build(): Workflow {
    const workflowId = this.id;
    if (typeof workflowId !== 'string' || workflowId.length === 0) {
      throw new WorkflowValidationError('INVALID_WORKFLOW_ID', `Workflow id must be a non-empty string, got ${describeValue(workflowId)}.`, [], String(workflowId));
    }
    validateIdLength('Workflow', workflowId, workflowId);
    if (this.tasks.size === 0) {
      throw new WorkflowValidationError('EMPTY', `Workflow ${JSON.stringify(workflowId)} has no tasks: add at least one with addTask().`, [], workflowId);
    }
    if (this.duplicateIds.length > 0) {
      const ids = [...new Set(this.duplicateIds)];
      throw new WorkflowValidationError(
        'DUPLICATE_TASK',
        `Workflow ${JSON.stringify(workflowId)} adds task ${ids.map((id) => JSON.stringify(id)).join(', ')} more than once.`,
        ids,
        workflowId,
      );
    }
    const unknownOption = findUnknownOption(this.options, WORKFLOW_OPTION_KEYS);
    if (unknownOption) {
      throw new WorkflowValidationError(
        'UNKNOWN_OPTION',
        `Workflow ${JSON.stringify(workflowId)} has an unknown option ${formatKey(unknownOption.key)} (${describeSuggestion(unknownOption, WORKFLOW_OPTION_KEYS)}).`,
        [],
        workflowId,
      );
    }
    const version = this.options?.version;
    if (version !== undefined && !(typeof version === 'string' && version.length > 0 && version.length <= MAX_VERSION_LENGTH)) {
      throw new WorkflowValidationError(
        'INVALID_VERSION',
        `Workflow ${JSON.stringify(workflowId)} has version ${describeValue(version)}: expected a non-empty string of at most ${MAX_VERSION_LENGTH} characters, or no version (the definition's hash).`,
        [],
        workflowId,
      );
    }
    for (const task of this.tasks.values()) {
      const unknown = this.unknownOptions.get(task.id);
      if (unknown) {
        throw new WorkflowValidationError(
          'UNKNOWN_OPTION',
          `Task ${JSON.stringify(task.id)} has an unknown option ${formatKey(unknown.key)} (${describeSuggestion(unknown, TASK_OPTION_KEYS)}).`,
          [task.id],
          workflowId,
        );
      }
      validateTaskDefinition(workflowId, task);
    }
    const upstream = new Map<string, string[]>([...this.tasks.keys()].map((id) => [id, []]));
    const downstream = new Map<string, string[]>([...this.tasks.keys()].map((id) => [id, []]));
    for (const [from, to] of this.edges) {
      const unknown = [from, to].filter((id) => !this.tasks.has(id));
      if (unknown.length > 0) {
        throw new WorkflowValidationError(
          'UNKNOWN_TASK',
          `Workflow ${JSON.stringify(workflowId)} has a dependency ${JSON.stringify(from)} → ${JSON.stringify(to)} on unknown task ${unknown.map((id) => JSON.stringify(id)).join(' and ')}.`,
          unknown,
          workflowId,
        );
      }
      if (from === to) {
        throw new WorkflowValidationError('SELF_DEPENDENCY', `Task ${JSON.stringify(from)} of workflow ${JSON.stringify(workflowId)} depends on itself.`, [from], workflowId);
      }
      upstream.get(to)!.push(from);
      downstream.get(from)!.push(to);
    }
    trimToLength(upstream);
    trimToLength(downstream);
    const order = topologicalOrder(workflowId, [...this.tasks.keys()], downstream);
    const edges = this.edges.map(([from, to]) => [from, to] as const);
    const definitionHash = computeDefinitionHash(workflowId, this.tasks.values(), edges);
    return Object.freeze({
      id: workflowId,
      description: this.description,
      version: version ?? definitionHash,
      definitionHash,
      tasks: new Map(this.tasks),
      upstream,
      downstream,
      topologicalOrder: order,
      // Frozen all the way down: every execution's record shares it (the memory store keeps it once).
      graph: Object.freeze({
        description: this.description,
        tasks: Object.freeze([...this.tasks.values()].map((task) => Object.freeze({ id: task.id, name: task.name }))),
        edges: Object.freeze(edges.map(([from, to]) => Object.freeze([from, to]))),
      }) as WorkflowGraph,
    });
  }
}

const NO_IDS: readonly string[] = Object.freeze([]);

/**
 * Each list replaced by an exact-size copy, or one shared empty list: an array grown by `push`
 * keeps room for 17 elements, 152 bytes where two ids need 32, and a workflow keeps two lists a
 * task (a third of a 100,000-task workflow's heap).
 */
function trimToLength(lists: Map<string, string[]>): void {
  for (const [id, list] of lists) lists.set(id, list.length === 0 ? (NO_IDS as string[]) : list.slice());
}
