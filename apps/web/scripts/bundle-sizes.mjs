/**
 * Prints the gzipped size of every JS chunk of the build, and the JS a visitor downloads for the public
 * lot page (the entry, the lot page's lazy chunk, and everything they import statically), computed from
 * Vite's manifest. Fails when the lot page exceeds its budget (WCAG/perf issue: ≤ 300 KB gzipped).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = path.resolve(import.meta.dirname, '../dist');
const BUDGET_KB = 300;
const manifest = JSON.parse(readFileSync(path.join(dist, '.vite/manifest.json'), 'utf8'));
const gz = (file) => gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1).padStart(7)} KB`;

const jsFiles = readdirSync(path.join(dist, 'assets')).filter((f) => f.endsWith('.js')).map((f) => `assets/${f}`);
const sizes = new Map(jsFiles.map((f) => [f, gz(f)]));
console.log('\nJS chunks (gzip -9):');
for (const [file, size] of [...sizes].sort((a, b) => b[1] - a[1])) console.log(`${kb(size)}  ${file}`);
console.log(`${kb([...sizes.values()].reduce((a, b) => a + b, 0))}  total`);

/** The files loaded for a manifest entry: itself and its static imports, transitively. */
function closure(key, seen = new Set()) {
  const chunk = manifest[key];
  if (!chunk || seen.has(chunk.file)) return seen;
  seen.add(chunk.file);
  for (const imp of chunk.imports ?? []) closure(imp, seen);
  return seen;
}

const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
const pageKey = (name) => Object.keys(manifest).find((k) => k.endsWith(`${name}.tsx`));
const report = (label, keys) => {
  const files = new Set();
  for (const k of keys) if (k) closure(k, files);
  const total = [...files].filter((f) => f.endsWith('.js')).reduce((sum, f) => sum + (sizes.get(f) ?? 0), 0);
  console.log(`${kb(total)}  ${label} (${files.size} files)`);
  return total;
};
console.log('\nJS loaded per page (gzip -9):');
const lotPage = report('public lot page: entry + LotPage', [entryKey, pageKey('pages/LotPage')]);
report('catalogue: entry + CataloguePage', [entryKey, pageKey('pages/CataloguePage')]);
report('court console: entry + CourtConsole', [entryKey, pageKey('court/CourtConsole')]);
report('court valuation procedure: entry + CourtConsole + ValuationPage', [entryKey, pageKey('court/CourtConsole'), pageKey('court/valuation/ValuationPage')]);
report('appraiser portal: entry + AppraiserPortal', [entryKey, pageKey('appraiser/AppraiserPortal')]);
if (lotPage > BUDGET_KB * 1024) {
  console.error(`\nThe public lot page loads ${(lotPage / 1024).toFixed(1)} KB of gzipped JS, over the ${BUDGET_KB} KB budget.`);
  process.exit(1);
}
console.log(`\nPublic lot page within the ${BUDGET_KB} KB budget.`);
