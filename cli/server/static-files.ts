import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
};

export interface StaticFile {
  body: Buffer;
  type: string;
}

/**
 * The built candidate page, read into memory once. Requests are looked up by exact name in this
 * table, so no request path ever reaches the filesystem.
 */
export function loadStaticFiles(dir: string): { index: StaticFile | undefined; assets: Map<string, StaticFile> } {
  const assets = new Map<string, StaticFile>();
  if (!existsSync(dir)) return { index: undefined, assets };
  const walk = (sub: string) => {
    for (const name of readdirSync(join(dir, sub))) {
      const rel = sub ? `${sub}/${name}` : name;
      const full = join(dir, rel);
      if (statSync(full).isDirectory()) walk(rel);
      else assets.set(rel, { body: readFileSync(full), type: TYPES[extname(name)] ?? 'application/octet-stream' });
    }
  };
  walk('');
  return { index: assets.get('index.html'), assets };
}
