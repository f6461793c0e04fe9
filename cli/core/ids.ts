const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A new interview id: 132 random bits as 22 URL-safe characters. */
export function newInterviewId(): string {
  const bytes = new Uint8Array(22);
  globalThis.crypto.getRandomValues(bytes);
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 63];
  return out;
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
