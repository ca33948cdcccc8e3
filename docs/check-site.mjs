#!/usr/bin/env node
// Checks the built docs site, in two passes:
// 1. the HTML as written (no browser): no unresolved `{@…}` tag (an `{@includeCode}` that an
//    `@example` printed as code, a `{@link}` TypeDoc did not resolve), no `#region`/`#endregion`
//    marker left in a code block, no code block swallowed by a `@typeParam`/`@param` (the
//    "example under Type Parameters" mistake: text after a block tag belongs to that tag);
// 2. in headless Chromium: every page renders with content, and no internal link is broken
//    (missing page or missing #anchor).
// Pass 2 needs Chromium: $CHROMIUM, or `chromium` / `chromium-browser` / `google-chrome` on PATH.
// Without one it is skipped with a one-line notice — except under CI=true, where that is a failure.
// Usage: node docs/check-site.mjs [siteDir]
import { createServer } from 'node:http';
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SITE = resolve(process.argv[2] ?? fileURLToPath(new URL('./site/', import.meta.url)));
const BROWSER_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
const MIN_CONTENT_CHARS = 40;
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };
const IN_CI = /^(1|true)$/i.test(process.env.CI ?? '');

if (!existsSync(join(SITE, 'index.html'))) {
  console.error(`No site at ${SITE}: run \`pnpm run docs\` first.`);
  process.exit(1);
}

function htmlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return htmlFiles(path);
    return extname(name) === '.html' ? [relative(SITE, path)] : [];
  });
}

/** The text a reader sees in an HTML fragment: tags removed (a `<br>` is a line break), entities decoded. */
function textOf(html) {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&#(\d+);/g, (_, code) => String.fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code) => String.fromCodePoint(parseInt(code, 16)))
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&');
}

/** The HTML of every element that opens with `open` (e.g. `<ul class="tsd-parameter-list">`), up to its matching close tag. */
function elements(html, tag, classPattern) {
  const found = [];
  const opener = new RegExp(`<${tag}\\b[^>]*class="[^"]*\\b(?:${classPattern})\\b[^"]*"[^>]*>`, 'g');
  const any = new RegExp(`<(/?)${tag}\\b[^>]*>`, 'g');
  for (const match of html.matchAll(opener)) {
    any.lastIndex = match.index + match[0].length;
    let depth = 1;
    let token;
    while (depth > 0 && (token = any.exec(html))) depth += token[1] ? -1 : 1;
    found.push(html.slice(match.index, token ? any.lastIndex : html.length));
  }
  return found;
}

// Pass 1: the HTML as written.
const problems = [];
const pages = htmlFiles(SITE);
for (const file of pages) {
  const html = readFileSync(join(SITE, file), 'utf8');
  const text = textOf(html);
  for (const tag of new Set(text.match(/\{@[A-Za-z]+[^}\n]{0,80}\}?/g) ?? [])) {
    problems.push(`${file}: unresolved tag \`${tag}\` shown as text (inside \`@example\`, text without a code fence is printed as code)`);
  }
  for (const pre of html.match(/<pre\b[\s\S]*?<\/pre>/g) ?? []) {
    const marker = textOf(pre).match(/^[ \t]*(?:\/\/|#|\/\*|<!--)[ \t]*#(?:end)?region\b.*$/m);
    if (marker) problems.push(`${file}: a code block shows the marker \`${marker[0].trim()}\``);
  }
  if (elements(html, 'ul', 'tsd-type-parameter-list|tsd-parameter-list').some((list) => /<pre\b/.test(list))) {
    problems.push(`${file}: a code block sits under Parameters/Type Parameters — text after a @param/@typeParam belongs to it; move it above the block tags`);
  }
}

// Pass 2: in a browser.
function findBrowser() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of BROWSER_NAMES) {
      const path = join(dir, name);
      try {
        accessSync(path, constants.X_OK);
        if (statSync(path).isFile()) return path;
      } catch {}
    }
  }
  return undefined;
}

const browserPath = findBrowser();
let checked = `${pages.length} pages`;
if (browserPath === undefined || !existsSync(browserPath)) {
  const where = browserPath === undefined ? `no ${BROWSER_NAMES.join('/')} on PATH` : `CHROMIUM=${browserPath} does not exist`;
  if (IN_CI) {
    problems.push(`Chromium not found (${where}): CI must run the in-browser pass — apt-get install -y chromium, or set CHROMIUM=path`);
  } else {
    console.log(`docs check: skipped the in-browser pass (rendering, links): ${where} — apt-get install -y chromium, or set CHROMIUM=path`);
  }
} else {
  const { chromium } = await import('playwright-core');
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
    executablePath: browserPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const anchors = new Map(); // page path → Set of ids
  const links = []; // [from, href]
  try {
    const page = await browser.newPage();
    for (const file of pages) {
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
  checked = `${anchors.size} pages rendered, ${links.length} internal links checked`;
}

console.log(`docs site: ${checked}, ${problems.length} problems`);
for (const problem of problems) console.error(`  ${problem}`);
process.exit(problems.length === 0 ? 0 : 1);
