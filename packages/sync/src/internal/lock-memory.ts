/**
 * The memory of a {@link Lock} or {@link RLock}: the `Mutex` of `@mp/core`
 * (one mutex for every `@mp` package, with its dead-owner recovery) on the
 * first words of a 128-byte block.
 */

/** The bytes a lock allocates: two cache lines (regions of 128 bytes are 128-byte aligned). */
export const LOCK_BYTES = 128;
/** The mutex's lock word: the holder's isolate token, 0 while free. */
export const LOCK = 0;
/** The mutex's sleeper count, on the lock word's line: a release reads it right after its exchange. */
export const SLEEPERS = 1;
/**
 * RLock's recursion level: word 16, 64 bytes on, on the other cache line. The
 * holder writes it while others spin on the lock word; on the same line, each
 * of those writes would steal the line from the spinners.
 */
export const LEVEL = 16;
