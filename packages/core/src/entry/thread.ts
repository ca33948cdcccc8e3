// The first module a 'thread' child runs. Host side: internal/start-methods/thread-host.ts.
import { runChild } from '../internal/child-main.js';
import { threadChildLink } from '../internal/start-methods/thread-child.js';
import { warmUpModule } from '../internal/warm-up.js';

await runChild(await threadChildLink(warmUpModule(import.meta.url)));
