/**
 * One execution's transition log in the memory store, kept by column: one array per field,
 * indexed by `seq - 1`, times as epoch milliseconds. A 100,000-task execution holds 200,000
 * transitions; as records (an object and a Date each) they were a third of the memory store's
 * heap, and the garbage collector walked them on every major collection. Records are built again
 * when read.
 *
 * A transition already stored at its seq is kept as it is (a retried batch is a no-op); one
 * arriving out of order is stored at its place.
 *
 * Snapshots: one the engine records (format 2: `{ status, value, context }` with `value` the
 * transition's `to`) is kept as its context and a kind (active or done), and built again when
 * read: two of them a task were 48 bytes each. Any other snapshot is kept whole.
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
  /** The snapshot, or only its context when its kind says so. */
  private readonly snapshots: unknown[] = [];
  private readonly snapshotKinds: number[] = [];
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
    const kind = snapshotKind(transition);
    this.snapshots[at] = kind === WHOLE ? transition.snapshot : (transition.snapshot as { context: unknown }).context;
    this.snapshotKinds[at] = kind;
    this.formats[at] = transition.snapshotFormat;
    this.versions[at] = transition.machineVersion;
  }

  /** The highest stored seq, 0 when none is. */
  get lastSeq(): number {
    return this.tos.length;
  }

  /** Every (snapshot format, machine version) pair stored, once each. */
  formatPairs(): { snapshotFormat: number; machineVersion: string }[] {
    const pairs = new Map<string, { snapshotFormat: number; machineVersion: string }>();
    this.tos.forEach((_, i) => pairs.set(`${this.formats[i]} ${this.versions[i]}`, { snapshotFormat: this.formats[i]!, machineVersion: this.versions[i]! }));
    return [...pairs.values()];
  }

  /**
   * The stored transitions whose seq is greater than `afterSeq` (all by default), in seq order,
   * as new records (their values still shared: copy them).
   */
  records(afterSeq = 0): TransitionRecord[] {
    const records: TransitionRecord[] = [];
    for (let i = Math.max(0, Math.floor(afterSeq)); i < this.tos.length; i++) {
      if (this.tos[i] !== undefined) records.push(this.record(i)); // undefined: a seq not stored yet (a batch arrived out of order)
    }
    return records;
  }

  /** The last stored transition of each of `actors` (null: the supervisor) that has one, in seq order. */
  lastOf(actors: ReadonlySet<string | null>): TransitionRecord[] {
    const found = new Map<string | null, number>();
    for (let i = this.tos.length - 1; i >= 0 && found.size < actors.size; i--) {
      const taskId = this.taskIds[i];
      if (this.tos[i] !== undefined && actors.has(taskId!) && !found.has(taskId!)) found.set(taskId!, i);
    }
    return [...found.values()].sort((a, b) => a - b).map((i) => this.record(i));
  }

  private snapshotAt(i: number): unknown {
    const kind = this.snapshotKinds[i];
    if (kind === WHOLE) return this.snapshots[i];
    return { status: kind === DONE ? 'done' : 'active', value: this.tos[i], context: this.snapshots[i] };
  }

  private record(i: number): TransitionRecord {
    return {
      executionId: this.executionId,
      seq: i + 1,
      taskId: this.taskIds[i]!,
      from: this.froms[i]!,
      to: this.tos[i]!,
      event: this.events[i]!,
      attempt: this.attempts[i]!,
      at: new Date(this.ats[i]!),
      data: this.datas[i]!,
      snapshot: this.snapshotAt(i),
      snapshotFormat: this.formats[i]!,
      machineVersion: this.versions[i]!,
    };
  }
}

const WHOLE = 0;
const ACTIVE = 1;
const DONE = 2;

/** ACTIVE or DONE for a format-2 snapshot that is exactly `{ status, value: to, context }`, else WHOLE. */
function snapshotKind(transition: TransitionRecord): number {
  const snapshot = transition.snapshot as Record<string, unknown> | null | undefined;
  if (transition.snapshotFormat !== 2 || typeof snapshot !== 'object' || snapshot === null) return WHOLE;
  if (snapshot.value !== transition.to || !('context' in snapshot)) return WHOLE;
  let keys = 0;
  for (const key in snapshot) if (Object.hasOwn(snapshot, key)) keys += 1;
  if (keys !== 3 || Object.getPrototypeOf(snapshot) !== Object.prototype) return WHOLE;
  return snapshot.status === 'active' ? ACTIVE : snapshot.status === 'done' ? DONE : WHOLE;
}
