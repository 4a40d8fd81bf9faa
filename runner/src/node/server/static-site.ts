// Serves the built VitePress site (docs/.vitepress/dist) from the runner's own
// origin, so pages, API and terminal share one Origin. sirv does the serving
// (clean URLs, content types, ETags); this adds the site's 404 page, the
// answer when no site is built, and handling of file read errors (a file a
// rebuild removed between lookup and read must not take the runner down), and
// the page's own inline scripts to its Content-Security-Policy.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import sirv from 'sirv';
import { inlineScriptHashes, pageFile } from './page-scripts.ts';
import { allowPageScripts } from './security-headers.ts';

/** VitePress names assets by content hash: they never change under one name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export function createStaticSite(root: string): (req: IncomingMessage, res: ServerResponse, url: URL) => boolean {
  const serve = sirv(root, {
    // Look files up on every request (no start-up index): a site rebuilt while the runner runs is served as it is now.
    dev: true,
    etag: true,
    extensions: ['html'],
    setHeaders: (res, pathname) => { res.setHeader('cache-control', pathname.startsWith('/assets/') ? IMMUTABLE : 'no-cache'); },
  });

  return (req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (!existsSync(root)) {
      // No site yet: say so on the front page; everything else is simply not here.
      const front = url.pathname === '/';
      res.writeHead(front ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
      res.end(`${front ? 'kdlabs runner is up.' : `nothing at ${url.pathname}:`} The site is not built yet: run \`npm run docs:build\` (npm start does it).\nAPI: /api/labs\n`);
      return true;
    }
    res.setHeader('x-content-type-options', 'nosniff');
    if (hasDotSegment(url.pathname)) { notFound(root, req, res); return true; }
    // Pages and assets are small; sirv's lax Range parsing (a start past the end throws) is not worth having.
    delete req.headers.range;
    // sirv pipes a file stream into the response without an error handler; a file gone
    // between lookup and read would be an uncaught error. Headers are out by then: close.
    res.once('pipe', (source: Readable) => { source.once('error', () => res.destroy()); });
    const page = pageFile(root, url.pathname);
    if (page) allowPageScripts(res, inlineScriptHashes(page));
    serve(req, res, () => notFound(root, req, res));
    return true;
  };
}

function notFound(root: string, req: IncomingMessage, res: ServerResponse): void {
  const page = join(root, '404.html');
  res.statusCode = 404;
  if (!existsSync(page) || req.method === 'HEAD') {
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end(req.method === 'HEAD' ? undefined : 'not found');
    return;
  }
  // Read whole, answered in one write: a stream would lose the race with a client that
  // half-closes after its request (the socket is gone before the first chunk is read).
  let html: Buffer;
  try {
    html = readFileSync(page);
  } catch {
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end('not found');
    return;
  }
  allowPageScripts(res, inlineScriptHashes(page));
  res.writeHead(404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', 'content-length': html.length });
  res.end(html);
}

/** `/.git/config`, `/a/.env`: the site has no dot files, and a stray one is not served. */
function hasDotSegment(pathname: string): boolean {
  let decoded = pathname;
  try { decoded = decodeURIComponent(pathname); } catch { /* sirv gets the raw path and finds nothing */ }
  return decoded.split('/').some((s) => s.startsWith('.'));
}
