import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium (installed by scripts/test-prerequisites.sh), driven by playwright-core. The flags keep it from
 * reaching for the network, which this machine does not have.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}
