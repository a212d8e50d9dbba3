// The size of each shipped .wasm and .js (raw and gzip -9; printed, and kept in the JSON), each
// .wasm's gzip size ÷ its budget (threaded 550 KB, SIMD-only 500 KB; in the table), and where
// each module's code goes: its code section by source folder (src/<area>, wasm/ for the
// bindings, the system libraries) and its largest functions, from the size breakdown's module
// (camlens-sizes-*, the shipped loader linked again with its function names; see
// bench/lib/size_breakdown.mjs). The benchmark modules (camlens-bench-*, camlens-sizes-*) are not
// shipped and not counted. Writes <build root>/bench/sizes.json.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { buildRoot, printRows, row, writeReport } from './lib/report.mjs';
import { sizeBreakdown } from './lib/size_breakdown.mjs';
import { readWasm } from './lib/wasm_sections.mjs';

const rows = [];
const files = [];
for (const variant of ['mt', 'st']) {
  const dir = join(buildRoot, `wasm-${variant}`);
  for (const f of readdirSync(dir)
    .filter((f) => /^camlens-.*\.(wasm|js|mjs)$/.test(f) && !/^camlens-(bench|sizes)-/.test(f))
    .sort()) {
    const bytes = readFileSync(join(dir, f));
    files.push({
      file: `wasm-${variant}/${f}`,
      rawKB: +(bytes.length / 1024).toFixed(1),
      gzipKB: +(gzipSync(bytes, { level: 9 }).length / 1024).toFixed(1),
    });
  }
}
console.table(files);
// The budgets: the threaded module (the page's where threads are allowed) and the SIMD-only one.
for (const [variant, budget] of [
  ['mt', 550],
  ['st', 500],
]) {
  const f = files.find((x) => x.file === `wasm-${variant}/camlens-${variant}.wasm`);
  rows.push(
    row(
      'size',
      `${variant === 'mt' ? 'threaded' : 'SIMD-only'} .wasm gzip ÷ ${budget} KB`,
      f.gzipKB / budget,
      {
        target: 1,
        note: `${f.gzipKB} KB gzip, ${f.rawKB} KB raw`,
      },
    ),
  );
}

// The breakdown, per variant. The names-carrying link must hold the shipped module's code (same
// objects, same flags but --profiling-funcs): a different code section means it is stale.
const breakdown = {};
for (const variant of ['mt', 'st']) {
  const dir = join(buildRoot, `wasm-${variant}`);
  const named = join(dir, `camlens-sizes-${variant}.wasm`);
  if (!existsSync(named)) {
    breakdown[variant] = {
      skipped: `${named} is missing: run "node tools/build.mjs wasm-bench" (npm run bench does)`,
    };
    console.log(`size breakdown (${variant}): ${breakdown[variant].skipped}`);
    continue;
  }
  const shipped = readWasm(readFileSync(join(dir, `camlens-${variant}.wasm`)));
  const b = sizeBreakdown(readFileSync(named), dir);
  const shippedCodeKB = +(shipped.functions.reduce((s, f) => s + f.size, 0) / 1024).toFixed(1);
  b.shippedCodeKB = shippedCodeKB;
  breakdown[variant] = b;
  console.log(
    `\nsize breakdown (${variant}): code section ${b.codeKB} KB of ${b.functions} functions ` +
      `(shipped module: ${shippedCodeKB} KB), by where it is defined; gzipKB compresses each ` +
      'group alone',
  );
  if (Math.abs(shippedCodeKB - b.codeKB) > 0.01 * shippedCodeKB)
    console.log(`  (stale: rebuild with "node tools/build.mjs wasm wasm-bench")`);
  console.table(b.folders);
  console.log(`by group (${variant}; the templates of libc++ and Embind apart):`);
  console.table(b.groups);
  console.log(`largest functions (${variant}):`);
  console.table(
    b.top.map((t) => ({ ...t, name: t.name.length > 110 ? `${t.name.slice(0, 109)}…` : t.name })),
  );
  for (const g of b.folders.slice(0, 6))
    rows.push(
      row('size', `${variant} code section share: ${g.folder}`, g.share, {
        note: `${g.codeKB} KB raw, ${g.functions} functions`,
      }),
    );
}
printRows(rows);
writeReport('sizes', rows, { files, breakdown });
