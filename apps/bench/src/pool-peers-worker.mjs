// The task functions of the piscina and tinypool cases of pool-peers.ts.
export function square(x) {
  return x * x;
}

export function squareChunk(chunk) {
  const out = [];
  for (let i = 0; i < chunk.length; i++) out.push(chunk[i] * chunk[i]);
  return out;
}
