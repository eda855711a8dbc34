/**
 * The engine's winston logger, and the transport that copies every record about an execution
 * (those carrying `executionId`: all of `ctx.logger`'s, and the engine's own warnings about a run)
 * into the telemetry buffer, so `engine.listLogs(id)` returns them.
 */
import winston from 'winston';
import Transport from 'winston-transport';
import { describeValue } from '../describeValue.js';
import type { TelemetryBuffer } from './TelemetryBuffer.js';

/**
 * The console logger of an engine created without `logger`: one line a record, `timestamp level
 * [executionId taskId attempt] message`, then the record's other fields (the metadata of
 * `ctx.logger.warn('d sees', { rows: 3 })`) as compact JSON.
 * @example createDefaultLogger('info').warn('d sees', { rows: 3 }); // 2025-… warn d sees {"rows":3}
 */
export function createDefaultLogger(level: string): winston.Logger {
  return winston.createLogger({
    level,
    format: winston.format.combine(winston.format.timestamp(), winston.format.printf(formatConsoleLine)),
    transports: [new winston.transports.Console({ level })],
  });
}

const RESERVED = new Set(['level', 'message', 'executionId', 'taskId', 'attempt', 'timestamp', 'splat']);

/** One console line of a winston record. */
function formatConsoleLine(info: Record<string, unknown>): string {
  const where = [info['executionId'], info['taskId'], info['attempt']].filter((part) => part !== undefined).join(' ');
  const metadata = Object.fromEntries(Object.entries(info).filter(([key]) => !RESERVED.has(key)));
  const fields = Object.keys(metadata).length === 0 ? '' : ` ${compactJson(metadata)}`;
  return `${String(info['timestamp'])} ${String(info['level'])} ${where ? `[${where}] ` : ''}${String(info['message'])}${fields}`;
}

/** JSON on one line; errors as their name and message; a value JSON cannot write (a cycle) described instead. */
function compactJson(value: Record<string, unknown>): string {
  try {
    return JSON.stringify(value, (_key, field: unknown) => {
      if (field instanceof Error) return { name: field.name, message: field.message };
      return typeof field === 'bigint' ? `${field}n` : field;
    });
  } catch {
    return describeValue(value);
  }
}

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
