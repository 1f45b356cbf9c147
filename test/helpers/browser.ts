// Headless Chromium for the browser tests: NEXUS_CHROMIUM, else the Debian package's /usr/bin/chromium.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const CHROMIUM = process.env.NEXUS_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM}: apt-get install chromium (or set NEXUS_CHROMIUM)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}
