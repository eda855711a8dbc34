import { fanOutDag } from '../dags.js';
import { allContenders } from './Scenario.js';
import type { Scenario } from './Scenario.js';

export const fanOut10k: Scenario = {
  name: 'fanout10k',
  description: 'independent no-op tasks, concurrency 64 (throughput, transitions per commit)',
  dag: (quick) => (quick ? fanOutDag(5_000) : fanOutDag(10_000)),
  concurrency: 64,
  metric: 'throughput',
  contenders: allContenders,
};
