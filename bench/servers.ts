/**
 * The servers and stores the bench uses, seen from the parent process.
 *
 * - Redis at 127.0.0.1:6379 (BullMQ's column) and a second Redis the bench starts itself, with
 *   `--appendonly yes --appendfsync everysec --save ''` in a temporary directory (the `BullMQ(aof)`
 *   column: Redis persisting every write, fsync once a second), shut down and removed at the end.
 * - MariaDB/MySQL at 127.0.0.1:3306 as root without a password: each measured run gets a fresh
 *   database `tg_bench_<random>`, dropped afterwards; each SQLite run a fresh file in a fresh
 *   temporary directory, removed afterwards.
 * - Servers' pids, found once, so that workers can read the server's CPU time from /proc.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createConnection } from 'mysql2/promise';

export const REDIS = { host: '127.0.0.1', port: 6379 };
export const MYSQL_SERVER = { host: '127.0.0.1', port: 3306, user: 'root' };

const MB = 1024 * 1024;

/** Sends one inline command to a Redis and resolves with its raw reply; rejects if unreachable. */
function redisCommand(port: number, command: string, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: REDIS.host, port });
    let reply = '';
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error('timeout'));
    });
    socket.on('error', reject);
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (data) => {
      reply += data.toString();
      const bulk = /^\$(\d+)\r\n/.exec(reply);
      if (!bulk || reply.length >= bulk[0].length + Number(bulk[1])) {
        socket.end();
        resolve(reply);
      }
    });
  });
}

/** The Redis server's pid (INFO server), or why it cannot be used. */
export async function probeRedis(port = REDIS.port): Promise<{ pid: number } | { unavailable: string }> {
  try {
    const info = await redisCommand(port, 'INFO server');
    const pid = /process_id:(\d+)/.exec(info)?.[1];
    return pid ? { pid: Number(pid) } : { unavailable: `Redis at ${REDIS.host}:${port} answered ${JSON.stringify(info.slice(0, 80))}` };
  } catch (error) {
    return { unavailable: `Redis at ${REDIS.host}:${port} unreachable (${(error as Error).message})` };
  }
}

/** The MariaDB/MySQL server's pid (from /proc, 0 when not found), or why it cannot be used. */
export async function probeMysql(): Promise<{ pid: number } | { unavailable: string }> {
  try {
    const connection = await createConnection({ ...MYSQL_SERVER, connectTimeout: 2_000 });
    await connection.end();
  } catch (error) {
    return { unavailable: `MariaDB/MySQL at ${MYSQL_SERVER.host}:${MYSQL_SERVER.port} unreachable (${(error as Error).message})` };
  }
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const name = (await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '')).trim();
    if (name === 'mariadbd' || name === 'mysqld') return { pid: Number(entry) };
  }
  return { pid: 0 };
}

/** A Redis persisting with AOF (fsync every second) on a free port, for the `BullMQ(aof)` column. */
export interface DurableRedis {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, REDIS.host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startDurableRedis(): Promise<DurableRedis> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'tg-bench-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', REDIS.host, '--appendonly', 'yes', '--appendfsync', 'everysec', '--dir', directory, '--save', ''];
  const child: ChildProcess = spawn('redis-server', args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killAtExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killAtExit);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killAtExit);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(directory, { recursive: true, force: true });
  };
  for (let attempt = 0; attempt < 50; attempt++) {
    const probe = await probeRedis(port);
    if ('pid' in probe) return { port, pid: probe.pid, stop };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`redis-server ${args.join(' ')} did not answer on port ${port}`);
}

/** A fresh, empty store for one run: its URL, its size on disk, and how to remove it. */
export interface FreshStore {
  url: string;
  sizeMb(): Promise<number>;
  drop(): Promise<void>;
}

export async function createFreshStore(kind: 'memory' | 'sqlite' | 'mysql'): Promise<FreshStore> {
  if (kind === 'memory') return { url: 'memory', sizeMb: async () => 0, drop: async () => undefined };
  if (kind === 'sqlite') {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'tg-bench-'));
    const file = path.join(directory, 'bench.db');
    return {
      url: `sqlite:${file}`,
      async sizeMb() {
        let bytes = 0;
        for (const name of await readdir(directory)) bytes += (await stat(path.join(directory, name))).size;
        return bytes / MB;
      },
      drop: () => rm(directory, { recursive: true, force: true }),
    };
  }
  const database = `tg_bench_${randomBytes(4).toString('hex')}`;
  const server = await createConnection(MYSQL_SERVER);
  await server.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await server.end();
  return {
    url: `mysql://root@${MYSQL_SERVER.host}:${MYSQL_SERVER.port}/${database}`,
    async sizeMb() {
      const connection = await createConnection({ ...MYSQL_SERVER, database });
      try {
        const [tables] = await connection.query('SHOW TABLES');
        for (const row of tables as Record<string, string>[]) await connection.query(`ANALYZE TABLE \`${Object.values(row)[0]}\``);
        const [rows] = await connection.query(
          'SELECT COALESCE(SUM(data_length + index_length), 0) AS bytes FROM information_schema.tables WHERE table_schema = ?',
          [database],
        );
        return Number((rows as { bytes: number | string }[])[0]?.bytes ?? 0) / MB;
      } finally {
        await connection.end();
      }
    },
    async drop() {
      const connection = await createConnection(MYSQL_SERVER);
      await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await connection.end();
    },
  };
}
