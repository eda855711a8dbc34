#!/usr/bin/env node
/** The `task-graph` bin. The commands live in program.ts. */
import { main } from './program.js';

await main();
