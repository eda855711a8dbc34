/**
 * The graphs every contender runs. Each worker process builds its graph from the shape's name and
 * size alone (seeded where random), so every contender and every run sees the same graph.
 *
 * A `Dag` keeps node ids in a topological order and its edges as two parallel typed arrays of
 * node indexes: a 1M-node lattice's 2M edges cost 16 MB that way, not the 150 MB of string pairs.
 * Contenders that need pairs of ids (p-graph, task-graph's builder) make them themselves, and
 * that cost is theirs.
 *
 * Shapes:
 * - `chain(n)`: n nodes, each after the one before (latency: one task at a time).
 * - `fan(n)`: fan-out/fan-in, one root, n middle nodes after it, one sink after all of them:
 *   n + 2 tasks. "10k fan-out/fan-in" in the issue is n = 10,000.
 * - `lattice(n)`: layers of 100; every node past the first layer has two parents in the layer
 *   above, the node at its own position and the next one (wrapping round).
 * - `random(n)`: layers of 100; every node past the first layer has 1-3 distinct parents drawn
 *   from the two layers above by a seeded PRNG (seed 42).
 * - `fanIn(n)`: n - 1 independent nodes and one sink after all of them, the shape of a BullMQ
 *   flow (a parent job with n - 1 children); the "many small executions" run 1,000 of these.
 */
export interface Dag {
  readonly name: string;
  /** Node ids in a topological order. */
  readonly ids: readonly string[];
  /** Edge i runs from node `from[i]` to node `to[i]` (indexes into `ids`). */
  readonly from: Int32Array;
  readonly to: Int32Array;
}

/** Downstream nodes of each node in compressed rows, and each node's count of upstreams. */
export interface Adjacency {
  /** Node i's dependents are `targets[offsets[i]] .. targets[offsets[i + 1] - 1]`. */
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
  readonly indegree: Int32Array;
}

export type ShapeName = 'chain' | 'fan' | 'lattice' | 'random' | 'fanIn';

export const LATTICE_WIDTH = 100;

/** The graph of a shape at a size. @example const dag = buildShape('lattice', 100_000); */
export function buildShape(shape: ShapeName, size: number): Dag {
  switch (shape) {
    case 'chain':
      return chainDag(size);
    case 'fan':
      return fanDag(size);
    case 'lattice':
      return latticeDag(size);
    case 'random':
      return randomDag(size);
    case 'fanIn':
      return fanInDag(size);
  }
}

/** mulberry32: a small seeded PRNG, enough for reproducible graphs. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function numbered(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}

function fromPairs(name: string, ids: string[], pairs: readonly number[]): Dag {
  const edges = pairs.length / 2;
  const from = new Int32Array(edges);
  const to = new Int32Array(edges);
  for (let i = 0; i < edges; i++) {
    from[i] = pairs[2 * i]!;
    to[i] = pairs[2 * i + 1]!;
  }
  return { name, ids, from, to };
}

export function chainDag(size: number): Dag {
  const from = new Int32Array(Math.max(0, size - 1)).map((_, i) => i);
  const to = from.map((i) => i + 1);
  return { name: `chain(${size})`, ids: numbered('c', size), from, to };
}

export function fanDag(middle: number): Dag {
  const ids = ['root', ...numbered('m', middle), 'sink'];
  const from = new Int32Array(2 * middle);
  const to = new Int32Array(2 * middle);
  for (let i = 0; i < middle; i++) {
    from[i] = 0;
    to[i] = i + 1;
    from[middle + i] = i + 1;
    to[middle + i] = middle + 1;
  }
  return { name: `fan-out/fan-in(1 + ${middle} + 1)`, ids, from, to };
}

export function latticeDag(size: number, width = LATTICE_WIDTH): Dag {
  const edges = Math.max(0, size - width) * 2;
  const from = new Int32Array(edges);
  const to = new Int32Array(edges);
  for (let i = width, e = 0; i < size; i++, e += 2) {
    const above = i - width - (i % width);
    from[e] = above + (i % width);
    from[e + 1] = above + ((i + 1) % width);
    to[e] = i;
    to[e + 1] = i;
  }
  return { name: `lattice(${size}, width ${width}, 2 parents)`, ids: numbered('n', size), from, to };
}

export function randomDag(size: number, width = LATTICE_WIDTH, seed = 42): Dag {
  const random = createRandom(seed);
  const pairs: number[] = [];
  for (let i = width; i < size; i++) {
    const layer = Math.floor(i / width);
    const lowest = Math.max(0, (layer - 2) * width);
    const span = layer * width - lowest;
    const wanted = 1 + Math.floor(random() * 3);
    const picked = new Set<number>();
    while (picked.size < wanted) picked.add(lowest + Math.floor(random() * span));
    for (const parent of picked) pairs.push(parent, i);
  }
  return fromPairs(`random(${size}, width ${width}, 1-3 parents, seed ${seed})`, numbered('r', size), pairs);
}

export function fanInDag(size: number): Dag {
  const leaves = size - 1;
  const from = new Int32Array(leaves).map((_, i) => i);
  const to = new Int32Array(leaves).fill(leaves);
  return { name: `fan-in(${leaves} + 1)`, ids: [...numbered('l', leaves), 'sink'], from, to };
}

/** Each node's dependents and upstream count, for the schedulers that walk the graph. */
export function adjacencyOf(dag: Dag): Adjacency {
  const count = dag.ids.length;
  const offsets = new Int32Array(count + 1);
  const indegree = new Int32Array(count);
  for (let e = 0; e < dag.from.length; e++) {
    offsets[dag.from[e]! + 1]! += 1;
    indegree[dag.to[e]!]! += 1;
  }
  for (let i = 0; i < count; i++) offsets[i + 1]! += offsets[i]!;
  const targets = new Int32Array(dag.from.length);
  const next = offsets.slice(0, count);
  for (let e = 0; e < dag.from.length; e++) targets[next[dag.from[e]!]!++] = dag.to[e]!;
  return { offsets, targets, indegree };
}

/** The edges as `[from id, to id]` pairs. */
export function edgePairs(dag: Dag): [string, string][] {
  return Array.from(dag.from, (from, e) => [dag.ids[from]!, dag.ids[dag.to[e]!]!]);
}
