import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { describe } from '@mp/core/internal';
import { AuthenticationError } from '../socket-errors.js';
import type { FrameSocket } from './socket-frames.js';

/**
 * CPython's authkey handshake (`multiprocessing.connection`), so that a
 * Python program with the same key can connect. Each side proves it knows the
 * key without sending it: one side sends `#CHALLENGE#{sha256}` and 40 random
 * bytes, the other answers `{sha256}` and the HMAC-SHA256 of everything after
 * `#CHALLENGE#` under the key, and the first replies `#WELCOME#` or
 * `#FAILURE#`. The listener challenges first, then answers the client's
 * challenge; the client does the mirror. Every step reads a frame of at most
 * 256 bytes, as raw bytes: nothing is decoded before both checks passed.
 */

const CHALLENGE = Buffer.from('#CHALLENGE#');
const WELCOME = Buffer.from('#WELCOME#');
const FAILURE = Buffer.from('#FAILURE#');
/** Random bytes in a challenge (CPython's MESSAGE_LENGTH). */
const MESSAGE_LENGTH = 40;
/** The longest handshake message read (CPython reads `recv_bytes(256)`). */
const AUTH_MESSAGE_LIMIT = 256;
/** A legacy (Python ≤ 3.11) challenge is this long and is answered with a bare HMAC-MD5. */
const LEGACY_MESSAGE_LENGTH = 20;
/** A bare HMAC-MD5 answer from a legacy peer. */
const LEGACY_DIGEST_LENGTH = 16;
/** CPython's digest names → Node's. */
const DIGESTS: Readonly<Record<string, string>> = {
  md5: 'md5',
  sha256: 'sha256',
  sha384: 'sha384',
  sha3_256: 'sha3-256',
  sha3_384: 'sha3-384',
};
const LONGEST_DIGEST_NAME = Math.max(...Object.keys(DIGESTS).map((name) => name.length));

/** Checks an `authkey` option: bytes, `null` (no authentication) or `undefined` (the default key). */
export function toAuthkey(value: unknown, fallback: () => Uint8Array): Uint8Array | null {
  if (value === undefined) return fallback();
  if (value === null) return null;
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(
      `Expected \`authkey\` to be a Uint8Array (or Buffer), null (no authentication) or undefined (currentProcess().authkey), got ${describe(value)}`,
    );
  }
  return value;
}

/** The digest name of a challenge or answer, and the bytes it covers; '' for the legacy MD5 form. */
function digestOf(message: Buffer): { name: string; payload: Buffer } {
  if (message.byteLength === LEGACY_MESSAGE_LENGTH || message.byteLength === LEGACY_DIGEST_LENGTH) return { name: '', payload: message };
  if (message[0] === 0x7b /* { */) {
    const close = message.indexOf(0x7d /* } */, 1);
    if (close > 0 && close <= LONGEST_DIGEST_NAME + 1) {
      const name = message.subarray(1, close).toString('latin1');
      if (Object.hasOwn(DIGESTS, name)) return { name, payload: message.subarray(close + 1) };
    }
  }
  throw new AuthenticationError(
    `unsupported message length, missing digest prefix, or unsupported digest: expected "{sha256}" (or md5, sha384, sha3_256, sha3_384) and a MAC, got ${message.byteLength} bytes that are not. Is the peer an @mp or Python multiprocessing Listener/Client?`,
  );
}

function hmac(authkey: Uint8Array, message: Uint8Array, name: string): Buffer {
  return createHmac(DIGESTS[name] ?? 'md5', authkey).update(message).digest();
}

/** Reads one handshake frame; what goes wrong there is an {@link AuthenticationError}. */
async function read(frames: FrameSocket, step: string): Promise<Buffer> {
  try {
    return await frames.next(AUTH_MESSAGE_LIMIT);
  } catch (error) {
    const reason = (error as Error).name === 'EOFError' ? 'the peer closed the connection' : (error as Error).message;
    const failure = new AuthenticationError(
      `authentication failed while waiting for ${step}: ${reason}. Both sides need the same authkey (or both \`authkey: null\`).`,
    );
    failure.cause = error;
    throw failure;
  }
}

/**
 * Sends a challenge and checks the answer; replies `#WELCOME#` or `#FAILURE#`.
 *
 * @throws {@link AuthenticationError} when the answer is wrong or malformed
 */
export async function deliverChallenge(frames: FrameSocket, authkey: Uint8Array, digest = 'sha256'): Promise<void> {
  const message = Buffer.concat([Buffer.from(`{${digest}}`), randomBytes(MESSAGE_LENGTH)]);
  frames.write(Buffer.concat([CHALLENGE, message]));
  const response = await read(frames, "the answer to this side's challenge");
  try {
    const { name, payload } = digestOf(response);
    const expected = hmac(authkey, message, name || 'md5');
    if (expected.byteLength !== payload.byteLength || !timingSafeEqual(expected, payload)) {
      throw new AuthenticationError(
        'digest received was wrong: the peer does not have this authkey. Give both sides the same `authkey` (by default a program uses its own random currentProcess().authkey).',
      );
    }
  } catch (error) {
    frames.write(FAILURE);
    throw error;
  }
  frames.write(WELCOME);
}

/**
 * Answers the peer's challenge and reads its verdict.
 *
 * @throws {@link AuthenticationError} when the peer sent no challenge, or rejected the answer
 */
export async function answerChallenge(frames: FrameSocket, authkey: Uint8Array): Promise<void> {
  const challenge = await read(frames, "the peer's challenge");
  if (!challenge.subarray(0, CHALLENGE.byteLength).equals(CHALLENGE)) {
    throw new AuthenticationError(
      `Protocol error, expected challenge: the peer sent ${challenge.byteLength} bytes that do not start with "#CHALLENGE#". Does it use an authkey (\`authkey: null\` on one side only fails like this)?`,
    );
  }
  const message = challenge.subarray(CHALLENGE.byteLength);
  if (message.byteLength < LEGACY_MESSAGE_LENGTH) {
    throw new AuthenticationError(`challenge too short: ${message.byteLength} bytes, expected at least ${LEGACY_MESSAGE_LENGTH}.`);
  }
  const { name } = digestOf(message);
  const mac = hmac(authkey, message, name || 'md5');
  frames.write(name ? Buffer.concat([Buffer.from(`{${name}}`), mac]) : mac);
  const verdict = await read(frames, "the peer's verdict on this side's answer");
  if (!verdict.equals(WELCOME)) {
    throw new AuthenticationError(
      'digest sent was rejected: the peer has another authkey. Give both sides the same `authkey` (by default a program uses its own random currentProcess().authkey).',
    );
  }
}
