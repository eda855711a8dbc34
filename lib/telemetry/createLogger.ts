/**
 * The engine's winston logger, and the transport that copies every record about an execution
 * (those carrying `executionId`: all of `ctx.logger`'s, and the engine's own warnings about a run)
 * into the telemetry buffer, so `engine.listLogs(id)` returns them.
 */
import winston from 'winston';
import Transport from 'winston-transport';
import type { TelemetryBuffer } from './TelemetryBuffer.js';

export function createDefaultLogger(level: string): winston.Logger {
  return winston.createLogger({
    level,
    format: winston.format.combine(
      winston.format.timestamp(),
      winston.format.printf(({ timestamp, level: lvl, message, executionId, taskId, attempt }) => {
        const where = [executionId, taskId, attempt].filter((part) => part !== undefined).join(' ');
        return `${String(timestamp)} ${lvl} ${where ? `[${where}] ` : ''}${String(message)}`;
      }),
    ),
    transports: [new winston.transports.Console({ level })],
  });
}

const RESERVED = new Set(['level', 'message', 'executionId', 'taskId', 'attempt', 'timestamp', 'splat']);

/** A winston transport that hands execution-scoped records to the telemetry buffer. */
export class StoreLogTransport extends Transport {
  /** `level`: the least severe level stored, whatever the console shows. */
  constructor(
    private readonly buffer: () => TelemetryBuffer | null,
    level: string,
  ) {
    super({ level });
  }

  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    const executionId = info['executionId'];
    const target = this.buffer();
    if (typeof executionId === 'string' && target) {
      const attributes: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(info)) if (!RESERVED.has(key)) attributes[key] = value;
      const taskId = info['taskId'];
      const attempt = info['attempt'];
      target.addLog({
        executionId,
        taskId: typeof taskId === 'string' ? taskId : null,
        attempt: typeof attempt === 'number' ? attempt : null,
        level: String(info['level']),
        message: typeof info['message'] === 'string' ? info['message'] : JSON.stringify(info['message']),
        attributes: safeJson(attributes),
        at: new Date(),
      });
    }
    next();
  }
}

function safeJson(value: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  } catch {
    return { unserializable: true };
  }
}
