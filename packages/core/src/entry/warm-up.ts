// Imported by a warm spare while it waits (see internal/warm-up.ts): a module of its
// own that Node resolves, reads, compiles, links and runs as it will the target's.
export const warm = true;
