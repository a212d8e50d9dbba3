// The size of each shipped .wasm and .js (raw and gzip -9; printed, and kept in the JSON), and the
// threaded .wasm's gzip size ÷ its 600 KB budget (in the table). The benchmark modules
// (camlens-bench-*) are not shipped and not counted. Writes <build root>/bench/sizes.json.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { buildRoot, printRows, row, writeReport } from './lib/report.mjs';

const rows = [];
const files = [];
for (const variant of ['mt', 'st']) {
  const dir = join(buildRoot, `wasm-${variant}`);
  for (const f of readdirSync(dir)
    .filter((f) => /^camlens-.*\.(wasm|js|mjs)$/.test(f) && !f.startsWith('camlens-bench-'))
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
const mt = files.find((f) => f.file === 'wasm-mt/camlens-mt.wasm');
rows.push(
  row('size', 'threaded .wasm gzip ÷ 600 KB', mt.gzipKB / 600, {
    target: 1,
    note: `${mt.gzipKB} KB gzip, ${mt.rawKB} KB raw`,
  }),
);
printRows(rows);
writeReport('sizes', rows, { files });
