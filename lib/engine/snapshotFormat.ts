/**
 * The format of the actor snapshots stored with every transition, and the way back from a stored
 * snapshot to one `createActor` restores.
 *
 * - Format 1: XState's own persisted snapshot (`actor.getPersistedSnapshot()`): status, value,
 *   context, historyValue, children (task@1-3 invoked their attempt and backoff as children).
 * - Format 2: `{ status, value, context }` only. The machines are flat and spawn no children of
 *   their own (the supervisor's children are restored from the task rows' own snapshots), so
 *   nothing else is needed to restore them, and building it costs a fraction of XState's generic
 *   persistence walk on every transition.
 *
 * Bump the format when the shape stored changes; resume refuses a format it does not know
 * instead of misreading it.
 */
export const SNAPSHOT_FORMAT = 2;
export const SUPPORTED_SNAPSHOT_FORMATS: readonly number[] = [1, 2];

/** What format 2 stores. */
export interface StoredSnapshot {
  status: 'active' | 'done';
  value: string;
  context: unknown;
}

/**
 * The stored form of a machine snapshot of a flat machine.
 * @example compactSnapshot(actor.getSnapshot()) // { status: 'active', value: 'running', context: {...} }
 */
export function compactSnapshot(snapshot: { status: string; value: unknown; context: unknown }): StoredSnapshot {
  return { status: snapshot.status === 'done' ? 'done' : 'active', value: String(snapshot.value), context: snapshot.context };
}

/**
 * A stored snapshot (format 1 or 2) as XState restores it, without children: the engine re-runs
 * what was in flight itself (an attempt, a backoff), so the invoked children task@1-3 recorded are
 * dropped, and the supervisor gets its live tasks put back by the caller.
 */
export function restorableSnapshot(stored: unknown): Record<string, unknown> {
  const { status, value, context } = stored as { status?: string; value?: unknown; context?: unknown };
  return { status: status === 'done' ? 'done' : 'active', value, context, historyValue: {}, children: {} };
}
