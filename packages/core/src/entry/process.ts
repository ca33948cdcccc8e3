// The first module a 'process' child runs. Host side: internal/start-methods/process-host.ts.
import { runChild } from '../internal/child-main.js';
import { processChildLink } from '../internal/start-methods/process-child.js';
import { warmUpModule } from '../internal/warm-up.js';

await runChild(await processChildLink(warmUpModule(import.meta.url)));
