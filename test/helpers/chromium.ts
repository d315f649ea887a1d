// the installed Chromium (the Debian package), driven headless by playwright-core with a fresh profile
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';

/** The browser binary: STAGEFLOW_TEST_CHROMIUM, else /usr/bin/chromium (installed by scripts/ci-services.sh). */
export const CHROMIUM = process.env.STAGEFLOW_TEST_CHROMIUM ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Opens a headless Chromium with a fresh user data directory; `close` also removes the directory. */
export async function openChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install the Debian 'chromium' package (scripts/ci-services.sh does)`);
  const profile = mkdtempSync(join(tmpdir(), 'stageflow-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 1000 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
