/**
 * Makes docs/dashboard.png from a real dry run: `npm run build && npx tsx scripts/make-dashboard-screenshot.ts [--target 30] [--output docs/dashboard.png]`.
 * The daemon runs offline (its built-in emulator, no network) into a temporary data directory,
 * the dashboard serves it on 127.0.0.1, and headless Chromium takes the picture.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DashboardData } from '../src/dashboard/dashboard-data.js';
import { startDashboardServer } from '../src/dashboard/dashboard-server.js';
import { loadPageAssets } from '../src/dashboard/page-assets.js';
import { launchChromium } from '../test/helpers/headless-chromium.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { target: { type: 'string', default: '30' }, output: { type: 'string', default: 'docs/dashboard.png' } } });
const dataDirectory = mkdtempSync(path.join(os.tmpdir(), 'nightshift-screenshot-'));

try {
  const startedAt = Date.now();
  const code = await new Promise<number | null>((resolve) => {
    const daemon = spawn(process.execPath, [path.join(root, 'dist/cli/main.js'), 'generate', '--offline', '--target', values.target, '--data-dir', dataDirectory, '--progress-interval', '2'], { stdio: ['ignore', 'ignore', 'inherit'] });
    daemon.on('close', resolve);
  });
  if (code !== 0) throw new Error(`the dry run exited with ${code}`);
  console.log(`dry run of ${values.target} conversations: ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  const server = await startDashboardServer({ data: new DashboardData({ dataDirectory }), assets: loadPageAssets(), access: { token: undefined, loopbackOnly: true }, port: 0 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1700 } });
    await page.goto(server.url);
    await page.waitForSelector('#condition[data-condition="finished"]');
    await page.screenshot({ path: path.resolve(root, values.output) });
    console.log(`wrote ${values.output}`);
  } finally {
    await browser.close();
    await server.close();
  }
} finally {
  rmSync(dataDirectory, { recursive: true, force: true });
}
