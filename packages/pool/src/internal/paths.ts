/**
 * Where this package lives. The bundler puts every host file in a chunk at the
 * root of `dist/`, beside `dist/entry/`; from sources, host files sit in
 * `src/internal/`. Both resolve to the same layout.
 */
const HERE = new URL('.', import.meta.url).href;

/** The package's root folder (`…/pool/dist/` or `…/pool/src/`): frames from there are never the caller of a Pool method. */
export const PACKAGE_ROOT: string = new URL(HERE.endsWith('/internal/') ? '..' : '.', HERE).href;

/** The module whose `poolWorker` export is every worker's target: {@link file://./../entry/worker.ts}. */
export const WORKER_MODULE: URL = new URL(`entry/worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, PACKAGE_ROOT);
