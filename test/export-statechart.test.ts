/**
 * exportStatechart: the shipped machines (and nested, parallel, delayed and awkwardly named ones)
 * as Mermaid stateDiagram-v2, Graphviz DOT and their JSON definition.
 */
import { expect } from 'chai';
import { setup, createMachine, fromPromise } from 'xstate';
import { executionMachine } from '../machines/execution.js';
import { taskMachine } from '../machines/task.js';
import { InvalidOptionsError } from '../lib/errors.js';
import { exportStatechart } from '../lib/inspect/exportStatechart.js';

/** A machine with a rule on its root, taken in every state (PING / log). */
function rootRulesMachine() {
  return setup({ actions: { log: () => undefined } }).createMachine({
    initial: 'idle',
    on: { PING: { actions: 'log' } },
    states: { idle: { on: { GO: 'busy' } }, busy: {} },
  });
}

function lines(text: string): string[] {
  return text.split('\n').map((line) => line.trim());
}

describe('exportStatechart', () => {
  describe('mermaid', () => {
    it('draws the task machine: initial, every transition with its guard, finals', () => {
      const text = exportStatechart(taskMachine, 'mermaid');
      expect(text.startsWith('stateDiagram-v2\n')).to.equal(true);
      const arrows = lines(text).filter((line) => line.includes('-->'));
      expect(arrows).to.deep.equal([
        '[*] --> pending',
        'pending --> running : task.start',
        'pending --> succeeded : task.adopt',
        'pending --> skipped : task.skip',
        'pending --> cancelled : task.cancel',
        'running --> succeeded : attempt.done [attemptSucceeded]',
        'running --> retrying : attempt.done [attemptRetries]',
        'running --> failed : attempt.done',
        'running --> cancelled : task.cancel',
        'retrying --> running : task.retry',
        'retrying --> cancelled : task.cancel',
        'succeeded --> [*]',
        'failed --> [*]',
        'skipped --> [*]',
        'cancelled --> [*]',
      ]);
      expect(text).to.not.include('note');
    });

    it('notes invoked actors and names their done events readably', () => {
      const machine = setup({ actors: { fetchRows: fromPromise(async () => 1) } }).createMachine({
        initial: 'loading',
        states: { loading: { invoke: { id: 'fetch', src: 'fetchRows', onDone: 'loaded' } }, loaded: { type: 'final' } },
      });
      const text = exportStatechart(machine, 'mermaid');
      expect(lines(text)).to.include('loading --> loaded : fetch done');
      expect(text).to.include('note right of loading\n    invokes fetchRows as fetch\n  end note');
      expect(text).to.not.include('xstate.');
      expect(lines(exportStatechart(machine, 'dot'))).to.include('loading [label="loading\\ninvoke fetch: fetchRows"];');
    });

    it('draws the execution machine: internal transitions and guards', () => {
      const text = exportStatechart(executionMachine, 'mermaid');
      const all = lines(text);
      expect(all).to.include('[*] --> pending');
      expect(all).to.include('running --> running : task.spawn / spawnTasks (internal)');
      expect(all).to.include('running --> failed : execution.settle [anyFailed]');
      expect(all).to.include('running --> succeeded : execution.settle');
      expect(all).to.include('cancelling --> cancelled : execution.settle');
      expect(all).to.include('aborting --> failed : execution.settle');
      for (const final of ['succeeded', 'failed', 'cancelled']) expect(all).to.include(`${final} --> [*]`);
      expect(text).to.not.include('in every state');
    });

    it('notes the rules of the root, taken in every state', () => {
      expect(exportStatechart(rootRulesMachine(), 'mermaid')).to.include('note left of idle\n    in every state:\n    PING / log\n  end note');
    });

    it('notes entry actions', () => {
      const machine = setup({ actions: { openValve: () => undefined } }).createMachine({
        initial: 'closed',
        states: { closed: { on: { OPEN: 'open' } }, open: { entry: 'openValve' } },
      });
      expect(exportStatechart(machine, 'mermaid')).to.include('note right of open\n    entry / openValve\n  end note');
    });

    it('nests compound states, separates parallel regions, names delays and eventless transitions', () => {
      const machine = createMachine({
        id: 'player',
        initial: 'idle',
        states: {
          idle: { on: { PLAY: 'playing' }, after: { 1500: 'asleep' } },
          asleep: { type: 'final' },
          playing: {
            initial: 'buffering',
            states: { buffering: { always: { target: 'live' } }, live: { on: { STOP: '#player.idle' } } },
            // eventless transitions are not in toJSON(): exportStatechart reads them from the state nodes
          },
          node: { type: 'parallel', states: { audio: { initial: 'on', states: { on: {} } }, video: { initial: 'off', states: { off: {} } } } },
        },
      });
      const text = exportStatechart(machine, 'mermaid');
      expect(text).to.include('state "playing" as playing {\n    [*] --> playing_buffering');
      expect(text).to.include('playing_buffering --> playing_live : always');
      expect(text).to.include('playing_live --> idle : STOP');
      expect(text).to.include('idle --> asleep : after 1500ms');
      // a state named like a keyword gets a safe id, its name stays the label
      expect(text).to.include('state "node" as s_node {');
      expect(text).to.match(/state "audio" as node_audio \{[\s\S]*\n\s+--\n\s+state "video" as node_video \{/);
    });

    it('escapes awkward state names and event types', () => {
      const machine = createMachine({
        id: 'odd',
        initial: 'a "quoted" <b>',
        states: { 'a "quoted" <b>': { on: { 'go;#now': 'b' } }, b: {} },
      });
      const text = exportStatechart(machine, 'mermaid');
      expect(text).to.include('state "a #34;quoted#34; #60;b#62;" as a__quoted___b_');
      expect(text).to.include('a__quoted___b_ --> b : go#59;#35;now');
      expect(text).to.not.include('<b>');
    });
  });

  describe('dot', () => {
    it('draws the task machine as a digraph with an initial point, final borders and labelled edges', () => {
      const text = exportStatechart(taskMachine, 'dot');
      expect(text.startsWith('digraph "task" {')).to.equal(true);
      expect(text.trim().endsWith('}')).to.equal(true);
      const all = lines(text);
      expect(all).to.include('__initial -> pending;');
      expect(all).to.include('running [label="running"];');
      expect(all).to.include('succeeded [label="succeeded", peripheries=2];');
      expect(all).to.include('running -> succeeded [label="attempt.done [attemptSucceeded]"];');
      expect(all).to.include('retrying -> running [label="task.retry"];');
      expect(all.filter((line) => line.includes(' -> '))).to.have.length(11);
    });

    it('draws the execution machine with dashed internal loops', () => {
      const text = exportStatechart(executionMachine, 'dot');
      expect(lines(text)).to.include('running -> running [label="task.spawn / spawnTasks (internal)", style=dashed];');
      expect(text).to.not.include('__root_rules');
    });

    it('draws the rules of the root as a note', () => {
      expect(exportStatechart(rootRulesMachine(), 'dot')).to.include('__root_rules [shape=note, style="", label="in every state:\\nPING / log"];');
    });

    it('quotes awkward names and keeps DOT keywords out of bare ids', () => {
      const machine = createMachine({ id: 'k', initial: 'edge', states: { edge: { on: { 'say "hi"': 'node' } }, node: {} } });
      const all = lines(exportStatechart(machine, 'dot'));
      expect(all).to.include('s_edge -> s_node [label="say \\"hi\\""];');
      expect(all).to.include('s_edge [label="edge"];');
    });
  });

  describe('json', () => {
    it("is the machine's toJSON definition, as JSON", () => {
      for (const machine of [taskMachine, executionMachine]) {
        const parsed = JSON.parse(exportStatechart(machine, 'json')) as { id: string; states: Record<string, unknown> };
        expect(parsed).to.deep.equal(JSON.parse(JSON.stringify(machine.toJSON())));
      }
      const task = JSON.parse(exportStatechart(taskMachine, 'json')) as {
        states: { running: { on: Record<string, { target: string[]; guard?: string }[]> } };
      };
      expect(task.states.running.on['attempt.done']!.map((t) => [t.target, t.guard])).to.deep.equal([
        [['#task.succeeded'], 'attemptSucceeded'],
        [['#task.retrying'], 'attemptRetries'],
        [['#task.failed'], undefined],
      ]);
    });
  });

  it('rejects an unknown format', () => {
    expect(() => exportStatechart(taskMachine, 'svg' as never)).to.throw(InvalidOptionsError, /svg/);
  });
});
