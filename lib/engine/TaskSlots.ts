/**
 * The child ids of an execution's task actors. A task actor is named by a small slot number
 * ('0', '1', ...), not by its task id (see machines/execution.ts for why). Each slot is:
 *
 *   free ──take(taskId)──▶ held ──settle(taskId)──▶ settled ──release()──▶ free
 *
 * A slot is held from the spawn of its task actor until the task's final transition is committed
 * (long after the actor itself reached its final state); then it waits, settled, until the run
 * releases the stopped actors from the supervisor in one batch; only then can it name a new one.
 */
export class TaskSlots {
  private readonly held = new Map<string, string>();
  private readonly free: string[] = [];
  private settled: string[] = [];
  private made = 0;

  /** A free slot for a task's new actor. */
  take(taskId: string): string {
    const slot = this.free.pop() ?? String(this.made++);
    this.held.set(taskId, slot);
    return slot;
  }

  /** The slot of a task whose actor is live (spawned, final transition not committed yet). */
  slotOf(taskId: string): string | undefined {
    return this.held.get(taskId);
  }

  /** The task's final transition is committed: its actor can be released. */
  settle(taskId: string): void {
    const slot = this.held.get(taskId);
    if (slot === undefined) return;
    this.held.delete(taskId);
    this.settled.push(slot);
  }

  /** The settled slots, free again from now on: the caller stops their actors. */
  release(): string[] {
    const released = this.settled;
    if (released.length === 0) return released;
    this.settled = [];
    for (const slot of released) this.free.push(slot);
    return released;
  }
}
