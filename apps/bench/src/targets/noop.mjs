// The child of "Process start+join": does nothing.
export function noop() {}
