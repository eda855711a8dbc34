/**
 * The format version stored with every persisted snapshot. Bump it when the shape of what is
 * stored changes (a new xstate persisted-snapshot format, a new field the restore path needs);
 * resume refuses rows with a format it does not know instead of misreading them.
 */
export const SNAPSHOT_FORMAT = 1;
export const SUPPORTED_SNAPSHOT_FORMATS: readonly number[] = [1];
