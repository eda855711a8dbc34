/**
 * One execution's transition log in the memory store, kept by column: one array per field,
 * indexed by `seq - 1`, times as epoch milliseconds. A 100,000-task execution holds 200,000
 * transitions; as records (an object and a Date each) they were a third of the memory store's
 * heap, and the garbage collector walked them on every major collection. Records are built again
 * when read.
 *
 * A transition already stored at its seq is kept as it is (a retried batch is a no-op); one
 * arriving out of order is stored at its place.
 */
import type { TransitionData, TransitionRecord } from '../records.js';

export class TransitionColumns {
  private readonly taskIds: (string | null)[] = [];
  private readonly froms: (string | null)[] = [];
  private readonly tos: string[] = [];
  private readonly events: string[] = [];
  private readonly attempts: number[] = [];
  private readonly ats: number[] = [];
  private readonly datas: (TransitionData | null)[] = [];
  private readonly snapshots: unknown[] = [];
  private readonly formats: number[] = [];
  private readonly versions: string[] = [];

  constructor(private readonly executionId: string) {}

  /** Stores a transition unless its seq is taken. */
  add(transition: TransitionRecord): void {
    const at = transition.seq - 1;
    if (this.tos[at] !== undefined) return;
    this.taskIds[at] = transition.taskId;
    this.froms[at] = transition.from;
    this.tos[at] = transition.to;
    this.events[at] = transition.event;
    this.attempts[at] = transition.attempt;
    this.ats[at] = transition.at.getTime();
    this.datas[at] = transition.data;
    this.snapshots[at] = transition.snapshot;
    this.formats[at] = transition.snapshotFormat;
    this.versions[at] = transition.machineVersion;
  }

  /**
   * The stored transitions whose seq is greater than `afterSeq` (all by default), in seq order,
   * as new records (their values still shared: copy them).
   */
  records(afterSeq = 0): TransitionRecord[] {
    const records: TransitionRecord[] = [];
    for (let i = Math.max(0, Math.floor(afterSeq)); i < this.tos.length; i++) {
      const to = this.tos[i];
      if (to === undefined) continue; // a seq not stored yet (a batch arrived out of order)
      records.push({
        executionId: this.executionId,
        seq: i + 1,
        taskId: this.taskIds[i]!,
        from: this.froms[i]!,
        to,
        event: this.events[i]!,
        attempt: this.attempts[i]!,
        at: new Date(this.ats[i]!),
        data: this.datas[i]!,
        snapshot: this.snapshots[i],
        snapshotFormat: this.formats[i]!,
        machineVersion: this.versions[i]!,
      });
    }
    return records;
  }
}
