import { describe } from './describe.js';

/**
 * Checks an options object: it must be a plain object (or `undefined`), and
 * every own key must be one the API knows. A misspelt option (`{ process: 4 }`
 * for `processes`, `{ deamon: true }`) is a TypeError naming the key and the
 * valid ones, instead of being ignored — Python rejects an unknown keyword
 * argument the same way.
 *
 * Keys whose value is `undefined` are checked too: `{ deamon: undefined }` is
 * still a typo.
 *
 * @param options - what the user passed
 * @param valid - the keys the API accepts
 * @param owner - names the API in messages (`Process`, `Value('i')`, `Barrier`)
 * @returns `options`, or `{}` for `undefined`
 * @throws TypeError when `options` is not an object, or has a key outside `valid`
 * @example
 * ```ts
 * const { lock } = checkOptions(options, ['lock'], 'Value');
 * ```
 */
export function checkOptions<T extends object>(options: T | undefined, valid: readonly string[], owner: string): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`Expected the ${owner} options to be an object, got ${describe(options)}`);
  }
  for (const key of Reflect.ownKeys(options)) {
    if (typeof key === 'string' && valid.includes(key)) continue;
    const name = typeof key === 'string' ? `\`${key}\`` : String(key);
    const hint = typeof key === 'string' ? closest(key, valid) : undefined;
    throw new TypeError(
      `Unknown ${owner} option ${name}${hint ? ` (did you mean \`${hint}\`?)` : ''}: ` +
        `the valid options are ${valid.map((k) => `\`${k}\``).join(', ')}`,
    );
  }
  return options;
}

/** The valid key nearest to a misspelt one, when it is near enough to be a typo. */
function closest(key: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of valid) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

/** Levenshtein distance (the option names are short). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
