// GET /docs: Swagger UI served entirely by Nexus (no CDN), for air-gapped sites.
import { Elysia } from 'elysia';
import { DOCS_ASSETS, type DocsAsset } from './docs-assets.ts';

export interface DocsOptions {
  /** Where the page fetches the OpenAPI document, e.g. `/openapi.json`. */
  readonly openapiUrl: string;
  readonly title: string;
}

// Only our own origin: no external scripts, styles, fonts, images or fetches. Swagger UI sets
// styles through the DOM, and its icons are data: URIs.
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': DOCS_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

interface Loaded {
  readonly asset: DocsAsset;
  readonly body: Uint8Array<ArrayBuffer>;
  readonly etag: string;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(opts: DocsOptions, src: (name: string) => string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title)}</title>
<link rel="stylesheet" href="${src('swagger-ui.css')}">
<link rel="icon" type="image/png" href="${src('favicon-32x32.png')}">
</head>
<body>
<div id="swagger-ui" data-openapi-url="${escapeHtml(opts.openapiUrl)}"></div>
<script src="${src('swagger-ui-bundle.js')}"></script>
<script src="${src('swagger-ui-standalone-preset.js')}"></script>
<script src="${src('init.js')}"></script>
</body>
</html>
`;
}

/** Elysia plugin: `GET /docs` and `GET /docs/assets/:name`. Assets are read once, on first use. */
export function docsRoutes(opts: DocsOptions) {
  let loading: Promise<Map<string, Loaded>> | undefined;
  const assets = () =>
    (loading ??= Promise.all(
      DOCS_ASSETS.map(async (asset): Promise<[string, Loaded]> => {
        const body = await asset.load();
        return [asset.name, { asset, body, etag: `"${Bun.hash(body).toString(36)}"` }];
      }),
    ).then((entries) => new Map(entries)));

  return new Elysia({ name: 'nexus-docs', seed: opts })
    .get('/docs', async () => {
      const loaded = await assets();
      // The content hash in the URL lets browsers cache assets forever and still see upgrades.
      const src = (name: string) => `/docs/assets/${name}?v=${loaded.get(name)?.etag.slice(1, -1) ?? ''}`;
      return new Response(page(opts, src), {
        headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', ...SECURITY_HEADERS },
      });
    })
    .get('/docs/assets/:name', async ({ params, request }) => {
      const hit = (await assets()).get(params.name);
      if (!hit) return new Response('not found', { status: 404, headers: SECURITY_HEADERS });
      const headers = {
        'content-type': hit.asset.contentType,
        'cache-control': 'public, max-age=31536000, immutable',
        etag: hit.etag,
        ...SECURITY_HEADERS,
      };
      if (request.headers.get('if-none-match') === hit.etag) return new Response(null, { status: 304, headers });
      return new Response(hit.body, { headers });
    });
}
