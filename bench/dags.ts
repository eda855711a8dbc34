/**
 * The graphs every contender runs, built once per scenario so that each one does the same work.
 *
 * A `Dag` is a list of node ids in topological order plus `[from, to]` edges. `layeredDag` is the
 * main shape: nodes in layers of `width`, each node past the first layer with 1 to 3 distinct
 * upstreams drawn from the previous two layers by a seeded PRNG, so every run and every peer sees
 * the same graph.
 */
export interface Dag {
  readonly name: string;
  /** Node ids in a topological order. */
  readonly ids: readonly string[];
  readonly edges: readonly (readonly [string, string])[];
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

/** `size` nodes in layers of `width`; each node after the first layer has 1-3 upstreams. */
export function layeredDag(size: number, width = 100, seed = 42): Dag {
  const random = createRandom(seed);
  const ids = Array.from({ length: size }, (_, i) => `n${i}`);
  const edges: [string, string][] = [];
  for (let i = width; i < size; i++) {
    const layer = Math.floor(i / width);
    const lowest = Math.max(0, (layer - 2) * width);
    const span = layer * width - lowest;
    const wanted = 1 + Math.floor(random() * 3);
    const picked = new Set<number>();
    while (picked.size < wanted) picked.add(lowest + Math.floor(random() * span));
    for (const from of picked) edges.push([ids[from]!, ids[i]!]);
  }
  return { name: `layered(${size}, width ${width}, seed ${seed})`, ids, edges };
}

/** `size` nodes, each depending on the one before. */
export function chainDag(size: number): Dag {
  const ids = Array.from({ length: size }, (_, i) => `c${i}`);
  const edges = ids.slice(1).map((id, i) => [ids[i]!, id] as const);
  return { name: `chain(${size})`, ids, edges };
}

/** `size` independent nodes. */
export function fanOutDag(size: number): Dag {
  return { name: `fan-out(${size})`, ids: Array.from({ length: size }, (_, i) => `f${i}`), edges: [] };
}

/** Upstream ids by node, and downstream ids by node. */
export function adjacency(dag: Dag): { upstream: Map<string, string[]>; downstream: Map<string, string[]> } {
  const upstream = new Map<string, string[]>(dag.ids.map((id) => [id, []]));
  const downstream = new Map<string, string[]>(dag.ids.map((id) => [id, []]));
  for (const [from, to] of dag.edges) {
    upstream.get(to)!.push(from);
    downstream.get(from)!.push(to);
  }
  return { upstream, downstream };
}

/** The no-op task every contender runs: an async function that yields once. */
export async function noop(): Promise<null> {
  return null;
}
