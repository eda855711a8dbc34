/**
 * The workflows an engine can run: every version published to it, by id, and the latest of
 * each (the one new executions use). Workflows are code: the registry lives in memory, and an
 * execution recorded on a version resumes only while that version is published.
 */
import { InvalidOptionsError, WorkflowValidationError } from '../errors.js';
import type { Logger } from 'winston';
import type { Workflow } from '../workflow/Workflow.js';

/** A published workflow id and the versions this engine holds of it. */
export interface PublishedWorkflow {
  id: string;
  /** The version new executions use: the one published last. */
  latest: string;
  /** Every version held, in the order they were first published. */
  versions: string[];
}

export class WorkflowRegistry {
  private readonly versions = new Map<string, Map<string, Workflow>>();
  private readonly latestById = new Map<string, Workflow>();

  constructor(private readonly logger: Logger) {}

  /**
   * Holds `workflow` and makes it its id's latest. A different definition under a version already
   * held is refused; a different definition becoming the latest is logged as a warning.
   */
  publish(workflow: Workflow): void {
    if (!workflow || typeof workflow !== 'object' || !(workflow.tasks instanceof Map) || typeof workflow.version !== 'string') {
      throw new InvalidOptionsError('workflow', workflow, 'a workflow returned by builder.build()');
    }
    const held = this.versions.get(workflow.id)?.get(workflow.version);
    if (held && held.definitionHash !== workflow.definitionHash) {
      throw new WorkflowValidationError(
        'VERSION_CONFLICT',
        `Workflow ${JSON.stringify(workflow.id)} version ${JSON.stringify(workflow.version)} is already published with a different definition. ` +
          'Give the changed definition a new version: createWorkflow(id, { version }).',
        [],
        workflow.id,
      );
    }
    const previous = this.latestById.get(workflow.id);
    if (previous && previous.definitionHash !== workflow.definitionHash) {
      this.logger.warn(
        `Workflow ${JSON.stringify(workflow.id)}: version ${JSON.stringify(workflow.version)} replaces ${JSON.stringify(previous.version)} as the latest. ` +
          `New executions run ${JSON.stringify(workflow.version)}; executions of ${JSON.stringify(previous.version)} resume only while it stays published.`,
        { workflowId: workflow.id },
      );
    }
    let versions = this.versions.get(workflow.id);
    if (!versions) this.versions.set(workflow.id, (versions = new Map()));
    versions.set(workflow.version, workflow);
    this.latestById.set(workflow.id, workflow);
  }

  /** The latest version of `id`, or the given version; undefined when not held. */
  get(id: string, version?: string): Workflow | undefined {
    return version === undefined ? this.latestById.get(id) : this.versions.get(id)?.get(version);
  }

  /** Ids of the published workflows. */
  ids(): string[] {
    return [...this.latestById.keys()];
  }

  list(): PublishedWorkflow[] {
    return [...this.latestById.values()].map((latest) => ({ id: latest.id, latest: latest.version, versions: [...this.versions.get(latest.id)!.keys()] }));
  }
}
