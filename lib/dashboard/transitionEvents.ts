/**
 * `GET /api/executions/:id/events`: the execution's new transitions as server-sent events, read
 * from the store by seq, so that it follows an execution whichever process runs it.
 *
 * The stream starts after `afterSeq` (the query parameter, else the `Last-Event-ID` header a
 * reconnecting EventSource sends, else 0: the whole log). Every `pollIntervalMs` it reads the
 * transitions after the last seq it sent; when there are some, it sends one event
 * `transitions` whose data is their JSON array (snapshots left out) and whose id is the last seq.
 * When there are none and the execution has finished, it sends `finished` (data: the execution's
 * status) and ends. A comment line goes out every 15 s so that proxies keep the connection open.
 * Closing the connection, or the dashboard, stops it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isTerminalExecutionStatus } from '../store/records.js';
import type { TransitionRecord } from '../store/records.js';
import type { Store } from '../store/Store.js';

const KEEP_ALIVE_MS = 15_000;

/** A transition as the API sends it: without the actor's snapshot (ask `?snapshots=true` on /transitions). */
export function withoutSnapshot(transition: TransitionRecord): Omit<TransitionRecord, 'snapshot'> {
  const { snapshot: _snapshot, ...rest } = transition;
  return rest;
}

export interface EventStreams {
  /** Ends every open stream (on close). */
  endAll(): void;
}

export function createEventStreams(): EventStreams & { add(end: () => void): () => void } {
  const open = new Set<() => void>();
  return {
    add(end) {
      open.add(end);
      return () => open.delete(end);
    },
    endAll() {
      for (const end of [...open]) end();
    },
  };
}

export function streamTransitions(
  request: FastifyRequest,
  reply: FastifyReply,
  store: Store,
  executionId: string,
  afterSeq: number,
  pollIntervalMs: number,
  streams: ReturnType<typeof createEventStreams>,
): void {
  reply.hijack();
  const response = reply.raw;
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-content-type-options': 'nosniff',
  });
  response.write('retry: 1000\n\n');
  let lastSeq = afterSeq;
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  let lastWrite = Date.now();
  const end = (): void => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    forget();
    response.end();
  };
  const forget = streams.add(end);
  request.raw.on('close', end);

  const poll = async (): Promise<void> => {
    const fresh = await store.listTransitions(executionId, lastSeq, { snapshots: false });
    const news = fresh.filter((transition) => transition.seq > lastSeq);
    if (ended) return;
    if (news.length > 0) {
      lastSeq = news[news.length - 1]!.seq;
      response.write(`id: ${lastSeq}\nevent: transitions\ndata: ${JSON.stringify(news.map(withoutSnapshot))}\n\n`);
      lastWrite = Date.now();
      return;
    }
    const record = await store.getExecution(executionId, { graph: false });
    if (ended) return;
    if (!record || isTerminalExecutionStatus(record.status)) {
      response.write(`event: finished\ndata: ${JSON.stringify(record?.status ?? null)}\n\n`);
      end();
      return;
    }
    if (Date.now() - lastWrite >= KEEP_ALIVE_MS) {
      response.write(': keep-alive\n\n');
      lastWrite = Date.now();
    }
  };
  const loop = (): void => {
    poll()
      .catch((error: unknown) => {
        if (!ended) response.write(`event: error\ndata: ${JSON.stringify({ message: error instanceof Error ? error.message : String(error) })}\n\n`);
      })
      .finally(() => {
        if (!ended) timer = setTimeout(loop, pollIntervalMs);
      });
  };
  loop();
}
