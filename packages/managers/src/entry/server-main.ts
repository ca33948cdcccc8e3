import type { Connection } from '@mp/ipc';
import { loadFunction } from '@mp/core/internal';
import { BaseProxy } from '../base-proxy.js';
import { toSpecs, type ServerConfig } from '../internal/registry.js';
import { errorToWire } from '../internal/wire.js';
import { Server } from '../server.js';

/**
 * The manager process: loads the callables the owner registered (by the
 * references the owner sent — never a name a client sends), serves, and tells
 * the owner where, through `ready`. Returns when the server shuts down.
 */
export async function serveManager(config: ServerConfig, ready: Connection): Promise<void> {
  // Proxies that arrive as arguments are rebuilt with this class (defined when its module runs).
  void BaseProxy;
  let server: Server;
  try {
    const callables = new Map<string, Function>();
    for (const type of config.types) {
      if (type.ref) callables.set(type.typeid, await loadFunction(type.ref, `callable of typeid '${type.typeid}'`));
    }
    server = new Server(toSpecs(config.types, (type) => callables.get(type.typeid)), { address: config.address, authkey: config.authkey });
    await server.ready;
  } catch (error) {
    ready.send({ error: errorToWire(error) });
    ready.close();
    return;
  }
  ready.send({ address: server.address });
  ready.close();
  await server.serveForever();
}
