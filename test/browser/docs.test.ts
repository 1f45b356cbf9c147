// /docs renders in headless Chromium with every non-loopback request aborted (an air-gapped site).
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { Elysia } from 'elysia';
import type { Browser } from 'playwright-core';
import { docsRoutes } from '../../src/http/docs.ts';
import { launchChromium } from '../helpers/browser.ts';

const openapi = {
  openapi: '3.1.0',
  info: { title: 'Docs test', version: '1.0.0' },
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  security: [{ bearer: [] }],
  paths: {
    '/api/tools/jira_get_issue': {
      post: { operationId: 'jira_get_issue', summary: 'Get Jira issue', responses: { 200: { description: 'ok' } } },
    },
    '/api/tools/crm_find_contact': {
      post: { operationId: 'crm_find_contact', summary: 'Find CRM contact', responses: { 200: { description: 'ok' } } },
    },
  },
};

let server: ReturnType<typeof Bun.serve>;
let browser: Browser;
beforeAll(async () => {
  const app = new Elysia().use(docsRoutes({ openapiUrl: '/openapi.json', title: 'Docs test' })).get('/openapi.json', () => openapi);
  server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (req) => app.handle(req) });
  browser = await launchChromium();
}, 30_000);
afterAll(async () => {
  await browser?.close();
  server?.stop(true);
});

const isLoopback = (url: string) => {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:') return true;
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
};

test('Swagger UI renders every operation with no request leaving the machine and no CSP violation', async () => {
  const page = await browser.newPage();
  const external: string[] = [];
  const problems: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (isLoopback(url)) return route.continue();
    external.push(url);
    return route.abort('internetdisconnected');
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));

  await page.goto(`http://127.0.0.1:${server.port}/docs`);
  await page.locator('.opblock-summary-path').nth(1).waitFor({ timeout: 15_000 });
  const paths = await page.locator('.opblock-summary-path').allTextContents();
  const title = await page.locator('.info .title').first().textContent();
  const authorize = await page.locator('button.authorize').count();

  expect({
    paths: paths.map((p) => p.replace(/\u200b/g, '')).sort(),
    title: title?.startsWith('Docs test'),
    authorize,
    external,
    problems,
  }).toEqual({
    paths: ['/api/tools/crm_find_contact', '/api/tools/jira_get_issue'],
    title: true,
    authorize: 1,
    external: [],
    problems: [],
  });
  await page.close();
}, 30_000);
