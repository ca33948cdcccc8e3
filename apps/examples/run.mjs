#!/usr/bin/env node
// Runs the tutorial's programs: `pnpm examples [name…] [--start-method thread|process]`.
// Each example is a plain TypeScript program; the start method reaches it as MP_START_METHOD.
// With --build (as the root `pnpm examples` passes), the packages are built first, silently:
// the build's output shows only when it fails, so a user sees the example's output alone.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const SRC = fileURLToPath(new URL('./src/', import.meta.url));
const ORDER = ['process', 'pool', 'queue', 'lock', 'semaphore', 'event', 'pipe', 'value-array', 'shared-memory', 'listener-client', 'manager'];
/** Examples that run only when named: they need more than Node (cluster: a redis-server). */
export const OPT_IN = ['cluster'];
export const EXAMPLES = readdirSync(SRC)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -3))
  .filter((name) => !OPT_IN.includes(name))
  .sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));

/** Node flags that let this Node run a .ts file: none where types are stripped natively, tsx elsewhere. */
export function typescriptFlags() {
  return process.features.typescript ? [] : ['--import', 'tsx'];
}

function parse(argv) {
  const names = [];
  let method = process.env.MP_START_METHOD || 'thread';
  let build = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--build') build = true;
    else if (arg === '--start-method') method = argv[++i];
    else if (arg.startsWith('--start-method=')) method = arg.slice('--start-method='.length);
    else if (arg !== '--') names.push(arg);
  }
  if (!['thread', 'process'].includes(method)) {
    console.error(`Unknown start method '${method}': use --start-method thread or --start-method process`);
    process.exit(2);
  }
  const unknown = names.filter((name) => !EXAMPLES.includes(name) && !OPT_IN.includes(name));
  if (unknown.length > 0) {
    console.error(`Unknown example ${unknown.join(', ')}: choose from ${EXAMPLES.join(', ')} (or, by name only, ${OPT_IN.join(', ')})`);
    process.exit(2);
  }
  return { names: names.length > 0 ? names : EXAMPLES, method, build };
}

/** Builds the packages with Turborepo; prints its output only when the build fails. */
function buildQuietly() {
  const result = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status === 0) return;
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  console.error(result.error ? `Could not run the build: ${result.error.message}` : 'The build failed (above): the examples did not run.');
  process.exit(1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { names, method, build } = parse(process.argv.slice(2));
  if (build) buildQuietly();
  let failed = 0;
  for (const name of names) {
    if (names.length > 1) console.log(`\n=== ${name} (${method}) ===`);
    const result = spawnSync(process.execPath, [...typescriptFlags(), `${SRC}${name}.ts`], {
      stdio: 'inherit',
      env: { ...process.env, MP_START_METHOD: method },
    });
    if (result.status !== 0) {
      failed++;
      console.error(`${name} exited with ${result.status ?? result.signal}`);
    }
  }
  process.exit(failed === 0 ? 0 : 1);
}
