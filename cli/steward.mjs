#!/usr/bin/env node
// `npx steward`: the CLI is TypeScript (cli/main.ts), run through tsx like the rest of the project.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('./main.ts');
process.exitCode = await run(process.argv);
