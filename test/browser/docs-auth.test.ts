// /docs with authentication configured: the page first shows no tools and how to authorise; after
// Authorize with a key confined to one tool, the document is fetched again and shows that tool only.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Browser } from 'playwright-core';
import { startBackend } from '../helpers/backend.ts';
import { launchChromium } from '../helpers/browser.ts';
import { startGateway, type TestGateway, toolsDir } from '../helpers/gateway.ts';

const backend = startBackend();
let gw: TestGateway;
let browser: Browser;
let key: string;

beforeAll(async () => {
  gw = await startGateway({
    toolsDir: toolsDir({
      'tools.yaml': `backend: { base_url: "${backend.url}" }
tools:
  - { name: jira_get_issue, description: Fetch an issue., request: { method: GET, path: /issue } }
  - { name: crm_find_contact, description: Find a contact., request: { method: GET, path: /contact } }
`,
    }),
  });
  key = (await gw.app.services.keys.create('jira-only', { tools: ['jira_*'] })).key;
  browser = await launchChromium();
}, 30_000);
afterAll(async () => {
  await browser?.close();
  await gw?.stop();
  backend.stop();
});

test("the docs page lists no tool before Authorize and exactly the key's tools after", async () => {
  const page = await browser.newPage();
  await page.goto(`${gw.url}/docs`);
  await page.locator('.info .description, .info .markdown').first().waitFor();
  const hint = (await page.locator('.info').first().textContent()) ?? '';
  const before = await page.locator('.opblock-summary-path').allTextContents();
  await page.locator('button.authorize').first().click();
  await page.locator('.modal-ux input[type=text], .modal-ux input[type=password]').first().fill(key);
  await page.locator('.modal-ux button.authorize').first().click();
  await page.locator('.modal-ux button.btn-done, .modal-ux button.close-modal').first().click();
  await page.locator('.opblock-summary-path', { hasText: '/api/tools/jira_get_issue' }).first().waitFor({ timeout: 15_000 });
  const after = await page.locator('.opblock-summary-path').allTextContents();
  const tools = (paths: string[]) => paths.map((p) => p.replace(/\u200b/g, '')).filter((p) => p.startsWith('/api/tools/'));
  expect({ hint: hint.includes('choose Authorize'), before: tools(before), after: tools(after) }).toEqual({
    hint: true,
    before: [],
    after: ['/api/tools/jira_get_issue'],
  });
  await page.close();
}, 60_000);
