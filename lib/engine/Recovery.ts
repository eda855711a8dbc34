/**
 * Automatic recovery: every `intervalMs` (jittered by a quarter either way, so that replicas
 * started together do not scan together), a durable engine claims a bounded batch of the
 * executions of its published workflows that no engine holds — an owner's lease ended on the
 * store's clock (the owner died, or lost the store for longer than the lease), an owner closed,
 * or an execution submitted with `engine.submit` — and runs them here. The batch claim is one
 * transaction with `SELECT … FOR UPDATE SKIP LOCKED` (Store.claimExpired): engines scanning at once
 * each take different executions, none waits for another, and each execution gets one owner.
 *
 * The batch is bounded by `batchSize` and by the room left under `maxExecutions` (runs live here);
 * a scan that took a full batch and still has room scans again at once, so a backlog drains
 * without waiting an interval per batch. A workflow given a limit (`workflowConcurrency`) is
 * claimed only up to the room left under it, counted over every engine (Store.claimExpired). An
 * engine claims only executions of the versions it holds (published), so an execution of a
 * version published elsewhere is left for the engines that hold it, without a claim per scan; one
 * claimed but refused here anyway (a snapshot it cannot read) is released at once for another engine.
 */
import { toError } from '../errors.js';
import type { EngineContext } from './EngineContext.js';
import { continueClaimed } from './resumeExecution.js';

export interface RecoveryOptions {
  intervalMs: number;
  batchSize: number;
  /** Most runs live in this engine for the scan to claim more. */
  maxExecutions: number;
  /** Per workflow id, the most executions held at once by all engines (createEngine's `workflowConcurrency`). */
  workflowLimits: Readonly<Record<string, number>>;
}

export class Recovery {
  private timer: NodeJS.Timeout | null = null;
  private scanning: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** Executions claimed by the scans so far (for tests and stats). */
  claimed = 0;

  constructor(
    private readonly context: EngineContext,
    private readonly options: RecoveryOptions,
  ) {}

  /** Schedules the first scan (after one jittered interval). */
  start(): void {
    this.schedule(this.jittered());
  }

  /** Scans soon (a submitted execution, a run ended and made room), unless one is under way. */
  poke(): void {
    if (this.stopped) return;
    if (this.scanning) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  /** Stops scanning; resolves once a scan under way has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.scanning;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.scanning = this.scan().finally(() => {
        this.scanning = null;
        const again = this.again;
        this.again = false;
        this.schedule(again ? 0 : this.jittered());
      });
    }, delayMs);
    this.timer.unref();
  }

  private async scan(): Promise<void> {
    const { runtime, registry, defaults } = this.context;
    for (;;) {
      const room = this.options.maxExecutions - runtime.runs.size;
      const limit = Math.min(this.options.batchSize, room);
      const published = registry.list();
      const workflowIds = published.map((workflow) => workflow.id);
      const workflowVersions = Object.fromEntries(published.map((workflow) => [workflow.id, workflow.versions]));
      if (this.stopped || limit <= 0 || workflowIds.length === 0) return;
      let claimed;
      try {
        claimed = await runtime.store.claimExpired(runtime.ownerId, { leaseMs: defaults.leaseMs, limit, workflowIds, workflowVersions, workflowLimits: this.options.workflowLimits });
      } catch (error) {
        runtime.logger.warn(`Recovery scan of ${runtime.store.location} failed; retrying at the next interval: ${toError(error).message}`);
        return;
      }
      await Promise.all(claimed.map(({ id, fencingToken }) => this.run(id, fencingToken)));
      if (claimed.length < limit) return;
    }
  }

  /** Runs one claimed execution here (its reads go on alongside the batch's others), or lets it go. */
  private async run(id: string, fencingToken: number): Promise<void> {
    const { runtime } = this.context;
    if (this.stopped) {
      await runtime.store.releaseOwnership(runtime.ownerId, [id]).catch(() => undefined);
      return;
    }
    this.claimed += 1;
    try {
      const handle = await continueClaimed(this.context, id, fencingToken, {});
      handle.result.then(
        () => this.poke(), // room for another
        () => undefined,
      );
    } catch (error) {
      runtime.logger.warn(`Recovery could not run execution ${id} here (released for another engine): ${toError(error).message}`, { executionId: id });
    }
  }

  private jittered(): number {
    return Math.round(this.options.intervalMs * (0.75 + Math.random() * 0.5));
  }
}
