// A program in a fresh project that installed @mp/cluster's tarball with npm: a Pool
// pointed at a port where no Redis listens must fail with ClusterConnectionError.
import { createServer } from 'node:net';
import { Pool } from '@mp/cluster';

export function square(n) {
  return n * n;
}

// A loopback port that was free a moment ago, and is closed again.
const port = await new Promise((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});
const pool = new Pool({ connection: `redis://127.0.0.1:${port}`, queue: 'packaging', connectTimeout: 1_000 });
try {
  await pool.apply(square, [3]);
  console.log('resolved: a Pool without Redis answered');
} catch (error) {
  console.log(error.name);
} finally {
  await pool.terminate();
}
