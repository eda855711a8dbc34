/**
 * `task-graph/worker`: remote task workers on BullMQ (needs the optional peer dependency `bullmq`).
 */
export { createWorker } from './createWorker.js';
export type { TaskWorker, WorkerOptions } from './createWorker.js';
export type { RedisConnection } from '../remote/RedisConnection.js';
