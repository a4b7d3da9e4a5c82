import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardSnapshot } from '../../src/dashboard/dashboard-data.js';
import { daemonTracker } from '../helpers/daemon.js';
import { chromiumSkipReason, launchChromium } from '../helpers/headless-chromium.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { appendProgressRecord, fetchText, finishOfflineRun, readStatusJson, startTestDashboard } from './dashboard-fixture.js';

const skipReason = chromiumSkipReason();
if (skipReason !== undefined) console.warn(skipReason);

/** Distinct byte values in a PNG's pixel data: a blank or single-colour image has a handful, a drawn page hundreds. */
function distinctPixelBytes(png: Buffer): number {
  const chunks: Buffer[] = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    if (png.toString('ascii', offset + 4, offset + 8) === 'IDAT') chunks.push(png.subarray(offset + 8, offset + 8 + length));
    offset += length + 12;
  }
  return new Set(inflateSync(Buffer.concat(chunks))).size;
}

/** How many pixels of each chart's canvas are painted (not transparent), in page order. */
/** The little of a canvas the check reads (the tests are compiled without the DOM's types). */
interface CanvasLike {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, width: number, height: number): { data: ArrayLike<number> } };
}

/** How many pixels of each chart's canvas are painted (not transparent), in page order. */
function paintedPixelsPerChart(page: Page): Promise<number[]> {
  // A function, not a string: the dashboard's policy forbids eval, and string evaluation then fails.
  return page.$$eval('.chart canvas', (canvases) =>
    (canvases as unknown as CanvasLike[]).map((canvas) => {
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let index = 3; index < pixels.length; index += 4) if (pixels[index]! > 0) painted++;
      return painted;
    }),
  );
}

const text = (page: Page, selector: string) => page.locator(selector).first().textContent();

describe.skipIf(skipReason !== undefined)('the dashboard page in headless Chromium', () => {
  let browser: Browser;
  let workspace: { path: string; cleanup: () => void };
  let finishedRun: string;
  let copies = 0;
  const daemons = daemonTracker();
  const copyOfRun = () => {
    const copy = path.join(workspace.path, `copy-${++copies}`);
    cpSync(finishedRun, copy, { recursive: true, verbatimSymlinks: true });
    return copy;
  };

  beforeAll(async () => {
    workspace = makeTempDir('nightshift-dashboard-page-');
    finishedRun = path.join(workspace.path, 'run');
    [browser] = await Promise.all([launchChromium(), finishOfflineRun(finishedRun, 6, workspace.path)]);
  }, 120_000);
  afterEach(() => daemons.killLeftovers());
  afterAll(async () => {
    await browser?.close();
    workspace.cleanup();
  });

  it("on a finished run it draws every chart and shows status.json's figures, each provider's too", async () => {
    const run = copyOfRun();
    const status = readStatusJson(run);
    const server = await startTestDashboard(run);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    try {
      await page.goto(server.url);
      await page.waitForSelector('#condition[data-condition="finished"]');
      expect(await text(page, '#saved')).toBe(String(status.saved));
      expect(await text(page, '#target')).toBe(String(status.target));
      expect(await text(page, '#percent')).toBe(status.percent.toFixed(1));
      expect(await text(page, '#in-flight')).toBe(String(status.inFlight));
      for (const [name, provider] of Object.entries(status.providers)) {
        expect(await text(page, `#provider-${name} [data-field="requests"]`)).toBe(provider.requests.toLocaleString('en-US'));
        expect(await text(page, `#provider-${name} [data-field="rate-limited"]`)).toBe(String(provider.rateLimited));
        expect(await text(page, `#provider-${name} [data-field="state"]`)).toBe('active');
      }
      const painted = await paintedPixelsPerChart(page);
      expect(painted).toHaveLength(4);
      for (const count of painted) expect(count).toBeGreaterThan(1000);
      const chart = await page.locator('#chart-progress').screenshot();
      expect(distinctPixelBytes(chart)).toBeGreaterThan(50);
      // The newest conversation is open: reasoning folded, each call shown with its result.
      const conversation = page.locator('details.conversation').first();
      expect(await conversation.getAttribute('open')).not.toBeNull();
      expect(await conversation.locator('details.reasoning[open]').count()).toBe(0);
      expect(await conversation.locator('details.reasoning').count()).toBeGreaterThan(0);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await server.close();
    }
  });

  it('fits a phone screen: nothing wider than the viewport', async () => {
    const server = await startTestDashboard(finishedRun);
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      await page.goto(server.url);
      await page.waitForSelector('#condition[data-condition="finished"]');
      expect(await page.locator('html').evaluate((root) => (root as unknown as { scrollWidth: number }).scrollWidth)).toBeLessThanOrEqual(390);
      const painted = await paintedPixelsPerChart(page);
      for (const count of painted) expect(count).toBeGreaterThan(500);
    } finally {
      await page.close();
      await server.close();
    }
  });

  it('behind a token the page works from the address printed at start: its files and its event stream get in too', async () => {
    const token = 'page-test-token-0123456789abc';
    const server = await startTestDashboard(finishedRun, token);
    const page = await browser.newPage();
    try {
      await page.goto(`${server.url}?token=${token}`);
      await page.waitForSelector('#condition[data-condition="finished"]');
      expect(await text(page, '#saved')).toBe(String(readStatusJson(finishedRun).saved));
      for (const count of await paintedPixelsPerChart(page)) expect(count).toBeGreaterThan(1000);
      // Another browser context (no cookie) at the address without the token gets nothing.
      const stranger = await browser.newPage();
      const refused = await stranger.goto(server.url);
      expect(refused?.status()).toBe(401);
      await stranger.close();
    } finally {
      await page.close();
      await server.close();
    }
  });

  it('a new progress record changes the figures on the open page, without a reload', async () => {
    const run = copyOfRun();
    const server = await startTestDashboard(run);
    const page = await browser.newPage();
    try {
      await page.goto(server.url);
      await page.waitForSelector('#condition[data-condition="finished"]');
      const saved = readStatusJson(run).saved + 1234;
      await appendProgressRecord(run, saved);
      await expect.poll(() => text(page, '#saved'), { timeout: 15_000 }).toBe(saved.toLocaleString('en-US'));
      expect(await text(page, '#connection')).toBe('live');
    } finally {
      await page.close();
      await server.close();
    }
  });

  it('keeps working while the daemon starts, dies and is started again: waiting, running, dead, running', async () => {
    const dataDir = path.join(workspace.path, 'restarted');
    mkdirSync(dataDir);
    const server = await startTestDashboard(dataDir);
    const page = await browser.newPage();
    const condition = (name: string) => page.waitForSelector(`#condition[data-condition="${name}"]`, { timeout: 45_000 });
    const generate = () => daemons.spawn(['--offline', '--target', '500', '--data-dir', dataDir, '--progress-interval', '1'], { cwd: workspace.path });
    try {
      await page.goto(server.url);
      await condition('waiting');
      const first = generate();
      await condition('running');
      first.child.kill('SIGKILL');
      await first.exited;
      await condition('dead');
      expect(await text(page, '#condition')).toContain('not running');
      const second = generate();
      await condition('running');
      // The charts span both daemons: the history holds records from each pid.
      const pids = async () => {
        const snapshot = JSON.parse((await fetchText(`${server.url}snapshot.json`)).body) as DashboardSnapshot;
        return { status: snapshot.status?.pid, history: [...new Set(snapshot.history.map((point) => point.pid))].sort() };
      };
      await expect.poll(pids, { timeout: 20_000 }).toEqual({ status: second.child.pid, history: [first.child.pid, second.child.pid].sort() });
      expect(await text(page, '#connection')).toBe('live');
    } finally {
      await page.close();
      await server.close();
    }
  }, 120_000);
});
