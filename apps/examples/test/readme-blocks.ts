// Finds every JavaScript/TypeScript code block of the READMEs and guides, and runs one as a
// program, as a reader who copies it into a file would (see readme-blocks.test.ts).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Where blocks are written: a folder of the package whose README they come from, so `@mp/*` resolve. */
export const BLOCKS_DIR = '.readme-blocks';

/** Fence languages that are programs we can run, and the file extension each one runs as. */
const RUNNABLE: Readonly<Record<string, '.ts' | '.mjs'>> = {
  ts: '.ts',
  typescript: '.ts',
  js: '.mjs',
  javascript: '.mjs',
  mjs: '.mjs',
};

/** `<!-- not-runnable: why -->` on the line before a fence (blank lines between allowed). */
const NOT_RUNNABLE = /^\s*<!--\s*not-runnable:(.*?)-->\s*$/;

export interface CodeBlock {
  /** The markdown file, relative to the repository root. */
  readonly file: string;
  /** The line of the opening fence (1-based). */
  readonly line: number;
  readonly lang: string;
  readonly code: string;
  /** Set when the block is marked `<!-- not-runnable: reason -->`: the reason ('' when none was given). */
  readonly notRunnable?: string;
}

/** The markdown files whose code blocks readers copy: READMEs (root, packages, apps) and the docs. */
export function markdownFiles(): string[] {
  const files = ['README.md', 'docs/index.md'];
  for (const dir of ['packages', 'apps']) {
    for (const name of readdirSync(join(ROOT, dir)).sort()) files.push(`${dir}/${name}/README.md`);
  }
  for (const name of readdirSync(join(ROOT, 'docs/guides')).sort()) {
    if (name.endsWith('.md')) files.push(`docs/guides/${name}`);
  }
  return files.filter((file) => existsSync(join(ROOT, file)));
}

/** The fenced code blocks of one markdown text in the runnable languages, with their not-runnable markers. */
export function codeBlocks(markdown: string, file: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, lang = ''] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j]!.trimStart().startsWith(fence!); j++) {
      body.push(lines[j]!.startsWith(indent!) ? lines[j]!.slice(indent!.length) : lines[j]!);
    }
    if (lang.toLowerCase() in RUNNABLE) {
      let k = i - 1;
      while (k >= 0 && lines[k]!.trim() === '') k--;
      const marker = k >= 0 ? NOT_RUNNABLE.exec(lines[k]!) : null;
      blocks.push({
        file,
        line: i + 1,
        lang: lang.toLowerCase(),
        code: body.join('\n') + '\n',
        ...(marker ? { notRunnable: marker[1]!.trim() } : {}),
      });
    }
    i = j;
  }
  return blocks;
}

/** Every block of every file of {@link markdownFiles}. */
export function allCodeBlocks(): CodeBlock[] {
  return markdownFiles().flatMap((file) => codeBlocks(readFileSync(join(ROOT, file), 'utf8'), file));
}

/** Whether a block starts children, so that it must run under both start methods. */
export function startsChildren(block: CodeBlock): boolean {
  return /\bnew (Process|Pool)\b|\bgetContext\(/.test(block.code);
}

/**
 * The folder a block runs in: beside its package's `package.json` (so the package and its
 * dependencies resolve, as they do for a user who installed it); the examples app, which
 * depends on every package, for the root README and the docs.
 */
function packageDir(block: CodeBlock): string {
  const dir = dirname(join(ROOT, block.file));
  return existsSync(join(dir, 'package.json')) && !block.file.startsWith('docs/') && dir !== ROOT.replace(/\/$/, '')
    ? dir
    : join(ROOT, 'apps/examples');
}

/** The block's file: `<package>/.readme-blocks/<readme name>-L<line>.<ext>`. */
export function blockPath(block: CodeBlock): string {
  const name = block.file.replace(/\.md$/, '').replace(/[^\w-]+/g, '_');
  return join(packageDir(block), BLOCKS_DIR, `${name}-L${block.line}${RUNNABLE[block.lang]}`);
}

export interface BlockRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * Writes a block to its file and runs it with Node (TypeScript: natively where Node strips
 * types, under tsx elsewhere), `MP_START_METHOD` set to `method`. A run that outlives
 * `timeoutMs` is killed with its whole process group, children included.
 */
export function runBlock(block: CodeBlock, method: 'thread' | 'process', timeoutMs: number): Promise<BlockRun> {
  const path = blockPath(block);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, block.code);
  // `process.features.typescript` (Node ≥ 22.10) is not in @types/node 20.
  const stripsTypes = Boolean((process.features as { typescript?: unknown }).typescript);
  const flags = RUNNABLE[block.lang] === '.ts' && !stripsTypes ? ['--import', TSX_LOADER] : [];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, path], {
      cwd: dirname(path),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MP_START_METHOD: method, FORCE_COLOR: '0', NO_COLOR: '1' },
      detached: true, // its own process group: a hang is killed with every child it started
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, stdout, stderr });
    });
  });
}

/** Where a block is, as an editor link: `packages/pool/README.md:50`. */
export function where(block: CodeBlock): string {
  return `${block.file}:${block.line}`;
}

/** The block's file relative to the repository, for messages. */
export function shownPath(block: CodeBlock): string {
  return relative(ROOT, blockPath(block));
}
