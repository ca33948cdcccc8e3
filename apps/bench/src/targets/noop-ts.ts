// The TypeScript child of "Process start+join, a TypeScript target": does nothing.
// On Node 20 the child registers tsx to import it (a warm spare has done so already).
export function noop(): void {}
