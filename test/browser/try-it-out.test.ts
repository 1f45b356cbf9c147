// The real gateway's /docs, offline: authorize with a client key, "Try it out" on a tool, get its answer.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Browser } from 'playwright-core';
import { startBackend } from '../helpers/backend.ts';
import { launchChromium } from '../helpers/browser.ts';
import { startGateway, type TestGateway, toolsDir } from '../helpers/gateway.ts';

const backend = startBackend((_req, url) =>
  Response.json({ key: decodeURIComponent(url.pathname.split('/').pop()!), summary: 'Login page times out' }),
);
let gw: TestGateway;
let browser: Browser;
let key: string;

beforeAll(async () => {
  gw = await startGateway({
    toolsDir: toolsDir({
      'jira.yaml': `backend: { base_url: "${backend.url}" }
tools:
  - name: jira_get_issue
    description: Fetch an issue.
    input: { type: object, properties: { key: { type: string } }, required: [key] }
    request: { method: GET, path: "/issue/{key}" }
`,
    }),
  });
  key = (await gw.app.services.keys.create('swagger-user', { tools: ['*'] })).key;
  browser = await launchChromium();
}, 30_000);
afterAll(async () => {
  await browser?.close();
  await gw?.stop();
  backend.stop();
});

test('a key entered in Authorize lets "Try it out" call a tool over REST, with no request leaving the machine', async () => {
  const page = await browser.newPage();
  const external: string[] = [];
  await page.route('**/*', (route) => {
    const { hostname, protocol } = new URL(route.request().url());
    if (protocol === 'data:' || protocol === 'blob:' || hostname === '127.0.0.1' || hostname === 'localhost') return route.continue();
    external.push(route.request().url());
    return route.abort('internetdisconnected');
  });
  await page.goto(`${gw.url}/docs`);
  await page.locator('button.authorize').first().click();
  await page.locator('.modal-ux input[type=text], .modal-ux input[type=password]').first().fill(key);
  await page.locator('.modal-ux button.authorize').first().click();
  await page.locator('.modal-ux button.btn-done, .modal-ux button.close-modal').first().click();

  const op = page.locator('#operations-jira-jira_get_issue, .opblock-post').filter({ hasText: 'jira_get_issue' }).first();
  await op.locator('.opblock-summary').first().click();
  await op.locator('button.try-out__btn').click();
  await op.locator('textarea.body-param__text').fill('{"key": "PROJ-1"}');
  await op.locator('button.execute').click();
  const status = op.locator('.live-responses-table tbody .response-col_status').first();
  await status.waitFor({ timeout: 15_000 });
  const body = await op.locator('.live-responses-table tbody .response-col_description pre').first().textContent();
  expect({ status: (await status.textContent())?.trim(), body: JSON.parse(body ?? '{}'), external }).toEqual({
    status: '200',
    body: { key: 'PROJ-1', summary: 'Login page times out' },
    external: [],
  });
  await page.close();
}, 60_000);
