#!/usr/bin/env node
// The `kiln` executable: wiring only; see main.ts.
import { adoptDeferredCaCerts } from '../runtime/net/extra-ca-certs.js';
import { main } from './main.js';

adoptDeferredCaCerts();
const code = await main(process.argv.slice(2));
// Leave now: everything kiln started has finished or been released, and Node would otherwise
// wait on idle handles (the command shell, sockets of a registry client) before exiting.
process.exit(code);
