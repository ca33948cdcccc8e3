// Adds up the vitest JSON reports of every package into the one line CI reads:
// "Tests: N passed, N failed". Exits non-zero when a report is missing or failed.
import { readdirSync, readFileSync, existsSync } from 'node:fs';

const roots = ['packages', 'apps'].flatMap((dir) => readdirSync(dir).map((name) => `${dir}/${name}`));
let passed = 0;
let failed = 0;
let skipped = 0;
for (const root of roots) {
  const file = `${root}/.vitest-report.json`;
  if (!existsSync(`${root}/vitest.config.ts`)) continue;
  if (!existsSync(file)) {
    console.error(`${root}: no test report (did its tests run?)`);
    failed++;
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
}
console.log(`${process.argv[2] ?? ''}`);
console.log(`Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
