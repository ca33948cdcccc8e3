import { pathToFileURL } from 'node:url';

const HERE = new URL('.', import.meta.url).href;
/** The package's own root (`dist/` or `src/`): frames from there are not callers. */
const PACKAGE_ROOT = new URL(HERE.endsWith('/internal/') ? '..' : '.', HERE).href;

interface Frame {
  readonly file: string;
  readonly functionName: string | null;
  readonly isConstructor: boolean;
}

function toUrl(file: string): string {
  return file.startsWith('file:') || file.startsWith('node:') || file.startsWith('data:')
    ? file
    : pathToFileURL(file).href;
}

function frames(): Frame[] {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  // Enough for the API's own frames plus the caller's; deeper frames are never needed.
  Error.stackTraceLimit = 24;
  Error.prepareStackTrace = (_error, sites) => sites;
  const holder: { stack?: NodeJS.CallSite[] } = {};
  try {
    Error.captureStackTrace(holder, frames);
    const sites = holder.stack ?? [];
    return sites.flatMap((site): Frame[] => {
      const file = site.getFileName() ?? site.getScriptNameOrSourceURL();
      if (!file) return [];
      return [{ file: toUrl(file), functionName: site.getFunctionName(), isConstructor: site.isConstructor() }];
    });
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}

function isOwn(frame: Frame): boolean {
  return frame.file.startsWith('node:') || frame.file.startsWith(PACKAGE_ROOT);
}

/**
 * The URL of the module that called into `@mp/core`: the first stack frame that
 * belongs neither to this package nor to Node itself. `skip` lists more
 * package roots to step over (a sibling package such as `@mp/pool` calling in).
 *
 * For a subclass constructor (`new MyProcess()`), `constructorName` picks the
 * frame of that constructor, so the class is looked up where it is defined.
 */
export function callerModule(options: { skip?: readonly string[]; constructorName?: string } = {}): string | undefined {
  const skip = options.skip ?? [];
  const outside = frames().filter((f) => !isOwn(f) && !skip.some((root) => f.file.startsWith(root)));
  if (options.constructorName) {
    const ctor = outside.find((f) => f.isConstructor && f.functionName === options.constructorName);
    if (ctor) return ctor.file;
  }
  return outside[0]?.file;
}
