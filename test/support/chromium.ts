/**
 * Debian's chromium for the browser tests, through playwright-core: where it is, the flags it
 * starts with, and `useChromium()`, the mocha hooks that launch one browser for a suite and close
 * it after, or skip the suite with a message saying how to install chromium when it is absent.
 *
 * @example
 * describe('a page', () => {
 *   const browser = useChromium();
 *   it('shows', async () => {
 *     const page = await browser().newPage();
 *   });
 * });
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Registers `before` (launch, or skip) and `after` (close) hooks; returns the suite's browser. */
export function useChromium(): () => Browser {
  let browser: Browser | null = null;
  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`    (skipped: ${CHROMIUM} not found; install it with: apt-get update && apt-get install -y chromium)`);
      this.skip();
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    browser = null;
  });
  return () => {
    if (!browser) throw new Error('No browser: useChromium() is only usable inside a test of its suite');
    return browser;
  };
}

/** `#rrggbb` as the `rgb(r, g, b)` a browser reports for a computed colour. */
export function rgb(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}
