/** Where Redis is, for BullMQ (ioredis options: `host` and `port` are enough). */
export interface RedisConnection {
  host?: string;
  port?: number;
  [option: string]: unknown;
}
