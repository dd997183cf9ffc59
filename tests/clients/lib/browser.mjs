// Launches Debian's Chromium through playwright-core with a fresh profile; no browser download involved.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.TUS_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Resolves with { context, close }; close() ends the browser and removes the profile dir. */
export async function launchChromium() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}. Run tests/clients/setup.sh or scripts/test.sh ` +
      '(apt-get install chromium).');
  }
  const profile = mkdtempSync(join(tmpdir(), 'tus-clients-chromium-'));
  try {
    // launchPersistentContext passes the fresh profile as --user-data-dir.
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      timeout: 60_000,
    });
    return {
      context,
      close: async () => {
        await Promise.race([context.close(), new Promise((done) => setTimeout(done, 15_000))]);
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}
