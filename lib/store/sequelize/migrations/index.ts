/**
 * Every migration, in the order they run. They are imported statically (not found by a glob at
 * run time) so that they load the same under tsx and from the compiled `dist/`.
 */
import type { Migration } from './Migration.js';
import * as initial from './001_initial.js';
import * as executionGraph from './002_execution_graph.js';
import * as executionsStatusFinishedIndex from './003_executions_status_finished_index.js';
import * as executionTraceparent from './004_execution_traceparent.js';
import * as executionsListingIndexes from './005_executions_listing_indexes.js';
import * as executionLeases from './006_execution_leases.js';
import * as workflowLocks from './007_workflow_locks.js';

export type { Migration, MigrationContext } from './Migration.js';

export const MIGRATIONS: readonly Migration[] = [
  { name: '001_initial', up: initial.up, down: initial.down },
  { name: '002_execution_graph', up: executionGraph.up, down: executionGraph.down },
  { name: '003_executions_status_finished_index', up: executionsStatusFinishedIndex.up, down: executionsStatusFinishedIndex.down },
  { name: '004_execution_traceparent', up: executionTraceparent.up, down: executionTraceparent.down },
  { name: '005_executions_listing_indexes', up: executionsListingIndexes.up, down: executionsListingIndexes.down },
  { name: '006_execution_leases', up: executionLeases.up, down: executionLeases.down },
  { name: '007_workflow_locks', up: workflowLocks.up, down: workflowLocks.down },
];
