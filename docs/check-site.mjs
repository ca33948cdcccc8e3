#!/usr/bin/env node
// Opens the built docs site in headless Chromium, visits every page, and fails on
// a broken internal link (missing page or missing #anchor) or a page without content.
// Usage: node docs/check-site.mjs [siteDir]   (Chromium: /usr/bin/chromium, or CHROMIUM=path)
import { createServer } from 'node:http';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const SITE = resolve(process.argv[2] ?? fileURLToPath(new URL('./site/', import.meta.url)));
const BROWSER = process.env.CHROMIUM ?? '/usr/bin/chromium';
const MIN_CONTENT_CHARS = 40;
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };

if (!existsSync(join(SITE, 'index.html'))) {
  console.error(`No site at ${SITE}: run \`pnpm run docs\` first.`);
  process.exit(1);
}
if (!existsSync(BROWSER)) {
  console.error(`Chromium not found at ${BROWSER}: install Debian's chromium (apt-get install chromium) or set CHROMIUM.`);
  process.exit(1);
}

function htmlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return htmlFiles(path);
    return extname(name) === '.html' ? [relative(SITE, path)] : [];
  });
}

const server = createServer((request, response) => {
  const path = join(SITE, decodeURIComponent(new URL(request.url, 'http://x').pathname));
  if (!path.startsWith(SITE) || !existsSync(path) || statSync(path).isDirectory()) {
    response.writeHead(404).end('not found');
    return;
  }
  response.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
});
await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: BROWSER,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const problems = [];
const anchors = new Map(); // page path → Set of ids
const links = []; // [from, href]
try {
  const page = await browser.newPage();
  for (const file of htmlFiles(SITE)) {
    const url = `${origin}/${file}`;
    const response = await page.goto(url, { waitUntil: 'load' });
    if (!response || response.status() !== 200) {
      problems.push(`${file}: HTTP ${response?.status()}`);
      continue;
    }
    const info = await page.evaluate(() => ({
      text: (document.querySelector('.col-content') ?? document.body).innerText.trim(),
      ids: [...document.querySelectorAll('[id], a[name]')].map((el) => el.id || el.getAttribute('name')),
      hrefs: [...document.querySelectorAll('a[href]')].map((a) => a.href),
    }));
    if (info.text.length < MIN_CONTENT_CHARS) problems.push(`${file}: no content (${info.text.length} characters)`);
    anchors.set(new URL(url).pathname, new Set(info.ids));
    for (const href of info.hrefs) if (href.startsWith(origin)) links.push([file, href]);
  }
  for (const [from, href] of links) {
    const target = new URL(href);
    const ids = anchors.get(target.pathname);
    if (!ids) problems.push(`${from}: broken link to ${target.pathname}`);
    else if (target.hash && target.hash !== '#' && !ids.has(decodeURIComponent(target.hash.slice(1)))) {
      problems.push(`${from}: link to a missing anchor ${target.pathname}${target.hash}`);
    }
  }
} finally {
  await browser.close();
  server.close();
}

console.log(`docs site: ${anchors.size} pages, ${links.length} internal links checked, ${problems.length} problems`);
for (const problem of problems) console.error(`  ${problem}`);
process.exit(problems.length === 0 ? 0 : 1);
