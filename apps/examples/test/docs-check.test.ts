// docs/check-site.mjs on small sites written here: it catches what TypeDoc renders wrongly
// without a browser, and it skips only its in-browser pass, in one line, when no Chromium is
// found — except under CI=true, where a missing Chromium fails. (The in-browser pass itself
// runs on the real site at the end of `pnpm test`; here it would race .ci/run's Chromium install.)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runNode, type ExampleRun } from './run-example.ts';

const CHECK = fileURLToPath(new URL('../../../docs/check-site.mjs', import.meta.url));
const HANG_GUARD_MS = 60_000;
const temp = mkdtempSync(join(tmpdir(), 'mp-docs-check-'));
const EMPTY_BIN = join(temp, 'bin'); // a PATH without any browser
mkdirSync(EMPTY_BIN);
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const PROSE = '<p>A pool of workers that run tasks: exported functions, called with the arguments you give.</p>';
function page(body: string): string {
  return `<!DOCTYPE html><html><head><title>t</title></head><body><div class="col-content">${PROSE}${body}</div></body></html>`;
}

function site(name: string, pages: Record<string, string>): string {
  const dir = join(temp, name);
  for (const [file, html] of Object.entries(pages)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), html);
  }
  return dir;
}

const good = site('good', {
  'index.html': page('<a href="classes/Pool.html#apply">apply</a>'),
  'classes/Pool.html': page('<h3 id="apply">apply</h3><pre><code class="ts">const pool = new Pool();</code></pre>'),
});
const bad = site('bad', {
  'index.html': page(''),
  'classes/Pool.html': page('<pre><code>{@includeCode ../../../apps/examples/src/pool.ts#main}</code></pre>'),
  'documents/Guide.html': page('<pre><code class="ts"><span class="hl-7">// #region main</span><br/>run();</code></pre>'),
  'classes/Value.html': page(
    '<section><h4>Type Parameters</h4><ul class="tsd-type-parameter-list"><li><span>C</span>' +
      '<div class="tsd-comment"><p>the typecode</p><pre><code>new Value()</code></pre></div></li></ul></section>',
  ),
});

function check(dir: string, env: Record<string, string | undefined>): Promise<ExampleRun> {
  const base: Record<string, string | undefined> = { ...process.env };
  delete base.CHROMIUM;
  delete base.CI;
  return runNode([CHECK, dir], { ...base, ...env }, 'check-site', HANG_GUARD_MS);
}

describe('docs/check-site.mjs', () => {
  it('without Chromium, checks the HTML, says in one line what it skipped and how to get it, and passes', async () => {
    const run = await check(good, { PATH: EMPTY_BIN });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^docs check: skipped the in-browser pass .*apt-get install -y chromium/);
    expect(lines[1]).toBe('docs site: 2 pages, 0 problems');
  });

  it('under CI=true, a missing Chromium is a failure', async () => {
    const run = await check(good, { PATH: EMPTY_BIN, CI: 'true' });
    expect(run.code).toBe(1);
    expect(run.stdout).not.toMatch(/skipped/);
    expect(run.stderr).toMatch(/Chromium not found .*apt-get install -y chromium/);
  });

  it('a CHROMIUM that does not exist is named', async () => {
    const run = await check(good, { PATH: EMPTY_BIN, CHROMIUM: join(temp, 'no-such-chrome') });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/CHROMIUM=.*no-such-chrome does not exist/);
  });

  it('fails on an unresolved tag, a #region marker in code, and a code block under Type Parameters', async () => {
    const run = await check(bad, { PATH: EMPTY_BIN });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/4 pages, 3 problems/);
    expect(run.stderr).toMatch(/classes\/Pool\.html: unresolved tag `\{@includeCode \.\.\/\.\.\/\.\.\/apps\/examples\/src\/pool\.ts#main\}`/);
    expect(run.stderr).toMatch(/documents\/Guide\.html: a code block shows the marker `\/\/ #region main`/);
    expect(run.stderr).toMatch(/classes\/Value\.html: a code block sits under Parameters\/Type Parameters/);
  });
});
