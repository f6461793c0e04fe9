#!/usr/bin/env node
// Builds the candidate page into web-lite/dist: index.html, app.js (+ map), app.css (+ map),
// favicon.svg, and disclosures.json (the disclosure versions serve accepts with a join).
//
//   node web-lite/build.mjs                 type-check web-lite, then bundle
//   node web-lite/build.mjs --no-typecheck  bundle only
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, 'src');
const dist = join(here, 'dist');
const args = new Set(process.argv.slice(2));

function fail(message) {
  process.stderr.write(`web-lite build: ${message}\n`);
  process.exit(1);
}

if (!args.has('--no-typecheck')) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.json')], { stdio: 'inherit' });
  if (result.status !== 0) fail('type errors in web-lite/src (see above)');
}

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });

// The disclosure versions: hashed here from the same module the page renders them with.
let disclosures;
try {
  const out = await esbuild.build({ entryPoints: [join(src, 'disclosure.ts')], bundle: true, write: false, format: 'esm', platform: 'node', logLevel: 'warning' });
  const mod = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
  disclosures = ['en', 'ja'].map((lang) => ({
    version: createHash('sha256').update(mod.disclosureHashInput(lang), 'utf8').digest('hex'),
    lang,
    text: mod.disclosureText(lang),
  }));
} catch (err) {
  fail(`disclosure versions: ${err.message}`);
}
await writeFile(join(dist, 'disclosures.json'), `${JSON.stringify(disclosures, null, 2)}\n`);

try {
  await esbuild.build({
    entryPoints: [
      { in: join(src, 'main.ts'), out: 'app' },
      { in: join(src, 'app.css'), out: 'app' },
    ],
    outdir: dist,
    bundle: true,
    minify: true,
    // Maps stay in dist/ for debugging; serve does not publish them (they carry the sources).
    sourcemap: 'external',
    format: 'iife',
    platform: 'browser',
    target: ['chrome100', 'edge100', 'firefox100', 'safari15.4'],
    define: {
      'process.env.NODE_ENV': '"production"',
      __DISCLOSURE_VERSIONS__: JSON.stringify(Object.fromEntries(disclosures.map((d) => [d.lang, d.version]))),
    },
    legalComments: 'linked',
    logLevel: 'warning',
  });
} catch {
  fail('esbuild failed (see above)');
}

// The page is served at /interview/<id> and its files at /assets/<file>; a content hash in the
// query string keeps a browser from pairing a new index.html with a cached old app.js.
const hash = createHash('sha256');
for (const file of ['app.js', 'app.css']) hash.update(await readFile(join(dist, file)));
const version = hash.digest('hex').slice(0, 12);
const html = await readFile(join(src, 'index.html'), 'utf8');
if (!html.includes('__ASSET_VERSION__')) fail('index.html lost its __ASSET_VERSION__ placeholders');
await writeFile(join(dist, 'index.html'), html.replaceAll('__ASSET_VERSION__', version));
await copyFile(join(src, 'favicon.svg'), join(dist, 'favicon.svg'));

const lines = [];
for (const file of ['index.html', 'app.js', 'app.js.map', 'app.css', 'favicon.svg', 'disclosures.json']) {
  const { size } = await stat(join(dist, file));
  lines.push(`  ${relative(process.cwd(), join(dist, file))}  ${(size / 1024).toFixed(1)} KiB`);
}
process.stdout.write(`web-lite built (${version}):\n${lines.join('\n')}\n`);
