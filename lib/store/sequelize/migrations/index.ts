/**
 * Every migration, in the order they run. They are imported statically (not found by a glob at
 * run time) so that they load the same under tsx and from the compiled `dist/`.
 */
import type { Migration } from './Migration.js';
import * as initial from './001_initial.js';
import * as executionGraph from './002_execution_graph.js';
import * as executionsStatusFinishedIndex from './003_executions_status_finished_index.js';
import * as executionsListingIndexes from './005_executions_listing_indexes.js';

export type { Migration, MigrationContext } from './Migration.js';

export const MIGRATIONS: readonly Migration[] = [
  { name: '001_initial', up: initial.up, down: initial.down },
  { name: '002_execution_graph', up: executionGraph.up, down: executionGraph.down },
  { name: '003_executions_status_finished_index', up: executionsStatusFinishedIndex.up, down: executionsStatusFinishedIndex.down },
  // numbers are handed out per branch (004 is not this branch's); the runner applies every name it has not recorded
  { name: '005_executions_listing_indexes', up: executionsListingIndexes.up, down: executionsListingIndexes.down },
];
