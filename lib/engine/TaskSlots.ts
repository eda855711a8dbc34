/**
 * The child ids of an execution's task actors. A task actor is named by a small slot number
 * ('0', '1', ...), not by its task id (see machines/execution.ts for why). Each slot is:
 *
 *   free ──take(taskId)──▶ held ──settle(taskId)──▶ free
 *
 * A slot is held from the spawn of its task actor until the task's final transition is committed
 * (after the actor itself reached its final state and stopped). A free slot still names that
 * stopped actor among the supervisor's children until the next spawn in the slot replaces it:
 * nothing stops it again, so no step of the supervisor copies its children map to remove one.
 */
export class TaskSlots {
  private readonly held = new Map<string, string>();
  private readonly free: string[] = [];
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

  /** The task's final transition is committed: its slot can name a new actor. */
  settle(taskId: string): void {
    const slot = this.held.get(taskId);
    if (slot === undefined) return;
    this.held.delete(taskId);
    this.free.push(slot);
  }
}
