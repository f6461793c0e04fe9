import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LIVEKIT_SERVER_MODULE, buildLiveKitServer, cachedBinDir, goInstall, type BuildProgress } from './server-build.js';

// goInstall with a stand-in `go` (a shell script that prints what `go install -v` prints and
// writes the binary into $GOBIN): the progress it reports, where the binary lands, and what a
// failed build says. The real build is timed by hand (about 4 minutes from an empty Go cache).

const dir = mkdtempSync(join(tmpdir(), 'ictl-gobuild-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeGo(name: string, script: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\nif [ "$1" = version ]; then echo "go version go1.26.8 linux/amd64"; exit 0; fi\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('goInstall', () => {
  it('builds into a scratch GOBIN, moves the binary into place and reports modules and packages as it goes', async () => {
    const go = fakeGo(
      'go-ok',
      [
        'echo "$@" > "$GOBIN/../args"',
        'echo "$GOTOOLCHAIN $CGO_ENABLED" > "$GOBIN/../env"',
        'echo "go: downloading github.com/livekit/protocol v1.50.5" >&2',
        'echo "go: downloading github.com/pion/webrtc/v4 v4.1.0" >&2',
        'for p in a b c; do echo "github.com/livekit/livekit-server/pkg/$p" >&2; sleep 0.05; done',
        'printf "#!/bin/sh\\necho livekit-server version 1.13.5\\n" > "$GOBIN/server"; chmod +x "$GOBIN/server"',
      ].join('\n'),
    );
    const binDir = join(dir, 'ok', 'bin');
    const seen: BuildProgress[] = [];
    const built = await buildLiveKitServer({ go, binDir, onProgress: (p) => seen.push(p) });
    expect(built.path).toBe(join(binDir, 'livekit-server'));
    expect(existsSync(built.path)).toBe(true);
    expect(readFileSync(join(binDir, 'args'), 'utf8').trim()).toBe(`install -v ${LIVEKIT_SERVER_MODULE}`);
    expect(readFileSync(join(binDir, 'env'), 'utf8').trim()).toBe('auto 0');
    // Nothing half-built is left beside it.
    expect(readdirSync(binDir).filter((f) => f.startsWith('.build-'))).toEqual([]);
    expect(readFileSync(join(dir, 'ok', 'livekit-server-build.log'), 'utf8')).toContain('go: downloading github.com/livekit/protocol');
    expect(built.ms).toBeGreaterThanOrEqual(0);
    expect(seen).toEqual([]);
  });

  it('reports progress while it runs', async () => {
    const go = fakeGo('go-slow', ['echo "go: downloading x v1" >&2', 'echo "pkg/one" >&2', 'sleep 0.4', 'echo "pkg/two" >&2', 'touch "$GOBIN/server"'].join('\n'));
    const seen: BuildProgress[] = [];
    await goInstall({ go, module: 'example.com/x@v1', builtName: 'server', dest: join(dir, 'slow', 'x'), logFile: join(dir, 'slow.log'), onProgress: (p) => seen.push(p), progressEveryMs: 100 });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toMatchObject({ modules: 1, packages: 1 });
  });

  it('fails with the last lines of go and where the whole output is, and leaves no binary', async () => {
    const go = fakeGo('go-bad', ['echo "go: downloading x v1" >&2', 'echo "go: github.com/livekit/livekit-server@v1.13.5 requires go >= 1.26; switching toolchains is off" >&2', 'exit 1'].join('\n'));
    const binDir = join(dir, 'bad', 'bin');
    const failed = buildLiveKitServer({ go, binDir });
    await expect(failed).rejects.toThrow(/exited with 1:[\s\S]*requires go >= 1\.26/);
    await expect(failed).rejects.toThrow(join(dir, 'bad', 'livekit-server-build.log'));
    expect(existsSync(join(binDir, 'livekit-server'))).toBe(false);
    expect(readdirSync(binDir)).toEqual([]);
  });

  it('stops the build when asked (Ctrl-C)', async () => {
    const go = fakeGo('go-long', 'sleep 30');
    const abort = new AbortController();
    const started = Date.now();
    const build = buildLiveKitServer({ go, binDir: join(dir, 'long', 'bin'), signal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    await expect(build).rejects.toThrow('the build was stopped');
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe('cachedBinDir', () => {
  it('is ~/.cache/interviewctl/bin of the given home', () => {
    expect(cachedBinDir('/home/ada')).toBe('/home/ada/.cache/interviewctl/bin');
  });
});
