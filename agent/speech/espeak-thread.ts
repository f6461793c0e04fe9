import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';

// Runs the espeak-ng WASM CLI off the job's event loop: synthesis is synchronous CPU work that
// would otherwise stall audio playout and turn handling. Requests: {id, voice, text}; replies:
// {id, wav} or {id, error}.
// The WASM build is an emscripten debug build: its file system throws an ErrnoError for every
// missing path while it lays out its embedded data (each utterance, in a fresh instance), and each
// one captures and demangles a stack trace. Nothing reads those stacks (this thread replies with a
// message only), and capturing them was a third of its CPU: 197 → 123 ms of CPU per line (15
// interview lines in a row on the 2-core machine); bench:agent-cpu shows the share per interview.
Error.stackTraceLimit = 0;
const require = createRequire(import.meta.url);
const jsPath = require.resolve('espeak-ng');
const wasm = readFile(jsPath.replace(/\.js$/, '.wasm')).then((bytes) => WebAssembly.compile(bytes));

parentPort!.on('message', async (msg: { id: number; voice: string; text: string }) => {
  try {
    const module = await wasm;
    const { default: ESpeakNg } = await import('espeak-ng');
    const es = await ESpeakNg({
      arguments: ['-v', msg.voice, '-s', '160', '-w', '/out.wav', msg.text],
      print: () => {},
      printErr: () => {},
      instantiateWasm(imports: WebAssembly.Imports, ok: (i: WebAssembly.Instance, m: WebAssembly.Module) => void) {
        void WebAssembly.instantiate(module, imports).then((inst) => ok(inst, module));
        return {};
      },
    });
    const wav = es.FS.readFile('/out.wav');
    parentPort!.postMessage({ id: msg.id, wav }, [wav.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: (err as Error).message ?? String(err) });
  }
});
