// Listener/Client round trip: the child connects to the parent's Listener (with the
// authkey it inherited) and echoes every message until -1.
import { Client } from '@mp/ipc';

/** @param {import('@mp/ipc').Address} address */
export async function echo(address) {
  const conn = await Client(address);
  for (;;) {
    const message = await conn.recv();
    if (message === -1) break;
    conn.send(message);
  }
  conn.close();
}
