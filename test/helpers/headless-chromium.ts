import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium, driven by playwright-core (which never downloads a browser of its own).
 * `.ci/run` installs the `chromium` package; outside CI a machine without it skips the page tests
 * with the reason, while in CI a missing browser is a failure, not a silent skip.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumAvailable = existsSync(CHROMIUM_PATH);

/** Why page tests are skipped, or undefined when they run. Throws in CI: there they must run. */
export function chromiumSkipReason(): string | undefined {
  if (chromiumAvailable) return undefined;
  if (process.env.CI) {
    throw new Error(`headless Chromium is missing at ${CHROMIUM_PATH}; .ci/run installs it with apt-get install chromium`);
  }
  return `headless Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH): page tests skipped`;
}

/**
 * Launches Chromium headless (playwright gives it a fresh temporary profile). The background-networking
 * flags matter here: on a machine without internet Chromium otherwise opens (and is refused) many
 * connections at start.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
