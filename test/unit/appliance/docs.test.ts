import { describe, expect, test } from 'bun:test';
import { Elysia } from 'elysia';
import { DOCS_CSP, docsRoutes } from '../../../src/http/docs.ts';

const app = new Elysia().use(docsRoutes({ openapiUrl: '/openapi.json', title: 'Nexus <tools>' }));
const get = (path: string, headers: Record<string, string> = {}) => app.handle(new Request(`http://localhost${path}`, { headers }));
const assetUrls = (html: string) => [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');

describe('GET /docs', () => {
  test('the page is HTML with a strict CSP, escapes its title and points Swagger UI at the OpenAPI URL', async () => {
    const res = await get('/docs');
    const html = await res.text();
    expect({
      status: res.status,
      type: res.headers.get('content-type'),
      cache: res.headers.get('cache-control'),
      csp: res.headers.get('content-security-policy'),
      nosniff: res.headers.get('x-content-type-options'),
    }).toEqual({ status: 200, type: 'text/html; charset=utf-8', cache: 'no-cache', csp: DOCS_CSP, nosniff: 'nosniff' });
    expect(html).toContain('<title>Nexus &#60;tools&#62;</title>');
    expect(html).toContain('data-openapi-url="/openapi.json"');
    expect(html).not.toContain('<script>'); // no inline script: CSP allows only 'self'
  });

  test('the page loads nothing from another origin and the CSP names no external source', async () => {
    const html = await (await get('/docs')).text();
    expect(assetUrls(html).filter((u) => !u.startsWith('/docs/assets/'))).toEqual([]);
    expect(html).not.toMatch(/https?:\/\//);
    expect(DOCS_CSP).not.toMatch(/https?:|\*/);
  });
});

describe('GET /docs/assets/:name', () => {
  test('every asset the page references is served with its content type and an immutable cache header', async () => {
    const html = await (await get('/docs')).text();
    const seen = [];
    for (const url of assetUrls(html)) {
      const res = await get(url);
      const body = new Uint8Array(await res.arrayBuffer());
      seen.push({
        name: url.split('/').pop()?.split('?')[0],
        status: res.status,
        type: res.headers.get('content-type'),
        cache: res.headers.get('cache-control'),
        nonEmpty: body.length > 0,
      });
    }
    const js = 'text/javascript; charset=utf-8';
    const ok = { status: 200, cache: 'public, max-age=31536000, immutable', nonEmpty: true };
    expect(seen).toEqual([
      { name: 'swagger-ui.css', type: 'text/css; charset=utf-8', ...ok },
      { name: 'favicon-32x32.png', type: 'image/png', ...ok },
      { name: 'swagger-ui-bundle.js', type: js, ...ok },
      { name: 'swagger-ui-standalone-preset.js', type: js, ...ok },
      { name: 'init.js', type: js, ...ok },
    ]);
  });

  test('a repeated request with the ETag gets 304 and an unknown asset gets 404', async () => {
    const first = await get('/docs/assets/swagger-ui.css');
    const etag = first.headers.get('etag') ?? '';
    const again = await get('/docs/assets/swagger-ui.css', { 'if-none-match': etag });
    const missing = await get('/docs/assets/nope.js');
    expect([etag.length > 2, again.status, missing.status]).toEqual([true, 304, 404]);
  });

  test('the init script enables persisted authorization and disables the online validator', async () => {
    const init = await (await get('/docs/assets/init.js')).text();
    expect(init).toContain('persistAuthorization: true');
    expect(init).toContain('validatorUrl: null');
    expect(init).toContain('el.dataset.openapiUrl');
  });
});
