import { randomUUID } from 'node:crypto';

/** A new span id. An execution's own span uses the execution id, so attempt spans can name their parent. */
export function spanId(): string {
  return randomUUID();
}
