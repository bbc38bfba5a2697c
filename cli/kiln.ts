#!/usr/bin/env node
// The `kiln` executable: wiring only; see main.ts.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
