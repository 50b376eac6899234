/**
 * The example web app (infra/example-app/) at http://127.0.0.1:8000/, so that `npm start` is all it takes to
 * try the API from a browser. This is an extra of the local runner that API Gateway does not have: the
 * deployed API serves no pages (host the two files wherever your frontend lives, and list its origin in
 * CORS_ALLOWED_ORIGINS). Only `GET /` and the app's own files are served here; every other request, any
 * other method or path, goes to the API routes exactly as without it.
 */
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';

export const EXAMPLE_APP_DIR = new URL('../example-app/', import.meta.url);

/** Path -> file and media type: the whole app. */
const FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
};

/** Serves the request if it asks for the example app; false if it is the API's. */
export async function serveExampleApp(method: string, path: string, response: ServerResponse): Promise<boolean> {
  const entry = method === 'GET' ? FILES[path] : undefined;
  if (!entry) return false;
  // Read at each request, so an edit shows at the next reload.
  const body = await readFile(new URL(entry.file, EXAMPLE_APP_DIR));
  response.setHeader('Content-Type', entry.type);
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  // The page's own <meta> CSP travels with it when copied; framing can only be refused by a header.
  response.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
  response.writeHead(200).end(body);
  return true;
}
