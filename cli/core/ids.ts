const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

// A batch creates ids by the hundred thousand, so they are made cheaply: random bytes are drawn a
// block at a time (65,536 is the most getRandomValues gives at once), each byte used once, and the
// 22 characters become a string in one step rather than 22 appends.
const ID_POOL = new Uint8Array(65_536);
let idPoolAt = ID_POOL.length;
const ID_CODES = Array.from(ALPHABET, (c) => c.charCodeAt(0));
const idChars: number[] = new Array(22).fill(0);

/**
 * A new interview id: 22 URL-safe characters, about 132 random bits. The first is a letter or a
 * digit, so an id never looks like a command-line option (`-x…`).
 */
export function newInterviewId(): string {
  if (idPoolAt + 22 > ID_POOL.length) {
    globalThis.crypto.getRandomValues(ID_POOL);
    idPoolAt = 0;
  }
  for (let i = 0; i < 22; i++) idChars[i] = ID_CODES[ID_POOL[idPoolAt + i]! & 63]!;
  idChars[0] = ID_CODES[ID_POOL[idPoolAt]! % 62]!;
  idPoolAt += 22;
  return String.fromCharCode(...idChars);
}

/** A resume key handed to the first joiner: 192 random bits. */
export function newResumeKey(): string {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 63];
  return out;
}

const ID_SHAPE = /^[A-Za-z0-9_-]{22}$/;
const PREFIX_SHAPE = /^[A-Za-z0-9_-]{4,22}$/;

export function isInterviewId(value: string): boolean {
  return ID_SHAPE.test(value);
}

/** Operators may type a unique prefix of an id (like git), at least 4 characters. */
export function isIdPrefix(value: string): boolean {
  return PREFIX_SHAPE.test(value);
}

export function roomNameFor(id: string): string {
  return `interview-${id}`;
}

export function candidateIdentityFor(id: string): string {
  return `candidate-${id}`;
}

/** The interview id a room name carries, if it is one of ours. */
export function interviewIdFromRoom(roomName: string): string | undefined {
  const m = /^interview-([A-Za-z0-9_-]{22})$/.exec(roomName);
  return m?.[1];
}

export function interviewUrl(publicUrl: string, id: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/interview/${id}`;
}
