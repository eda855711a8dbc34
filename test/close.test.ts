/**
 * engine.close(): it flushes what is queued, leaves running executions resumable, and does not
 * hang when the store is down.
 */
import { expect } from 'chai';
import { createEngine } from '../lib/index.js';
import type { CommitBatch } from '../lib/index.js';
import { MemoryStore } from '../lib/store/MemoryStore.js';
import { waitUntil } from './support/waitUntil.js';
import { refusedWith } from './support/FlakyStore.js';

/** A memory store that can be switched off: every commit then fails, as with a server that is down. */
class SwitchableStore extends MemoryStore {
  down = false;
  override async commit(batch: CommitBatch): Promise<void> {
    if (this.down) throw refusedWith('connect ECONNREFUSED 127.0.0.1:3306', { code: 'ECONNREFUSED' });
    await super.commit(batch);
  }
}

describe('engine.close()', function () {
  this.timeout(20_000);
  it('gives up on a store that is down after closeTimeoutMs, and leaves what was committed', async () => {
    const store = new SwitchableStore();
    const engine = await createEngine({ storage: store, logLevel: 'silent', closeTimeoutMs: 300 });
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    engine.publishWorkflow(
      engine.createWorkflow('stuck').addTask('a', 'A', () => 1).addTask('b', 'B', () => gate).addDependency('a', 'b').build(),
    );
    const handle = engine.start('stuck', {});
    await waitUntil(() => handle.progress().running > 0 && handle.progress().succeeded > 0, 'a task succeeded and one runs');
    store.down = true;
    release();
    await waitUntil(() => handle.progress().succeeded >= 2, 'two tasks succeeded');
    await engine.close(); // before closeTimeoutMs, this waited forever for the store to come back
    const error = await handle.result.then(() => null, (caught: Error) => caught);
    expect(error?.name).to.equal('EngineClosedError');
    // What was committed before the store went down is there; b's success never was.
    const rows = await store.listTaskRuns(handle.id);
    expect(rows.find((row) => row.taskId === 'a')?.status).to.equal('succeeded');
    expect(rows.find((row) => row.taskId === 'b')?.status).to.not.equal('succeeded');
    expect((await store.getExecution(handle.id))?.status).to.equal('running');
  });
});
