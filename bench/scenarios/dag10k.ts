import { layeredDag } from '../dags.js';
import { allContenders } from './Scenario.js';
import type { Scenario } from './Scenario.js';

export const dag10k: Scenario = {
  name: 'dag10k',
  description: 'no-op tasks in layers of 100, each with 1-3 upstreams from the 2 layers above, concurrency 64',
  dag: (quick) => (quick ? layeredDag(5_000, 100, 42) : layeredDag(10_000, 100, 42)),
  concurrency: 64,
  metric: 'throughput',
  contenders: allContenders,
};
