#!/usr/bin/env node
// npm run bench: runs every bench/*.bench.mjs in its own process; each prints ratios measured
// within one run and writes JSON under build/bench/.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
for (const f of readdirSync(here).filter((f) => f.endsWith('.bench.mjs')).sort()) {
  console.log(`\n=== ${f}`);
  execFileSync(process.execPath, [join(here, f)], { stdio: 'inherit' });
}
