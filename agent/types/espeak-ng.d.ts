// The espeak-ng npm package (Emscripten build of the espeak-ng CLI) ships no types.
declare module 'espeak-ng' {
  interface ESpeakModule {
    FS: { readFile(path: string): Uint8Array };
  }
  export default function ESpeakNg(module: Record<string, unknown>): Promise<ESpeakModule>;
}
