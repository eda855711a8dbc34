import { chainDag } from '../dags.js';
import { allContenders } from './Scenario.js';
import type { Scenario } from './Scenario.js';

export const chain200: Scenario = {
  name: 'chain200',
  description: 'no-op tasks in a chain: one task at a time, each transition its own commit (latency per step)',
  dag: () => chainDag(200),
  concurrency: 8,
  metric: 'latency',
  contenders: allContenders,
};
