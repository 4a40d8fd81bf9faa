// Serves the built VitePress site (docs/.vitepress/dist) from the runner's own
// origin, so pages, API and terminal share one Origin.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.woff2': 'font/woff2', '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

export function createStaticSite(root: string) {
  return (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (!existsSync(root)) {
      // No site yet: say so on the front page; everything else is simply not here.
      const front = url.pathname === '/';
      res.writeHead(front ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${front ? 'kdlabs runner is up.' : `nothing at ${url.pathname}:`} The site is not built yet: run \`npm run docs:build\` (npm start does it).\nAPI: /api/labs\n`);
      return true;
    }
    let rel: string;
    try { rel = decodeURIComponent(url.pathname); } catch { return false; }
    const candidates = rel.endsWith('/') ? [`${rel}index.html`] : [rel, `${rel}.html`, `${rel}/index.html`];
    for (const c of candidates) {
      const file = normalize(join(root, c));
      if (!file.startsWith(root + sep) && file !== root) return false; // no escaping the site folder
      if (existsSync(file) && statSync(file).isFile()) {
        res.writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'cache-control': file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
          'x-content-type-options': 'nosniff',
        });
        if (req.method === 'HEAD') res.end(); else createReadStream(file).pipe(res);
        return true;
      }
    }
    const notFound = join(root, '404.html');
    res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
    if (existsSync(notFound)) createReadStream(notFound).pipe(res); else res.end('not found');
    return true;
  };
}
