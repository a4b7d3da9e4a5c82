import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { NightshiftError } from '../core/errors.js';

/** One file the server sends. */
export interface PageAsset {
  readonly contentType: string;
  readonly body: Buffer;
}

/**
 * The page's files stay plain HTML, CSS and JavaScript in src/dashboard/page/ (tsc compiles only
 * TypeScript, and a copy step would be one more thing `npm run build` and the test build must
 * agree on). `../../src/dashboard/page/` names that folder from src/dashboard/ and from
 * dist/dashboard/ alike.
 */
const PAGE_DIRECTORY = fileURLToPath(new URL('../../src/dashboard/page/', import.meta.url));

const PAGE_FILES: Readonly<Record<string, readonly [file: string, contentType: string]>> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/dashboard.css': ['dashboard.css', 'text/css; charset=utf-8'],
  '/dashboard.js': ['dashboard.js', 'text/javascript; charset=utf-8'],
  '/charts.js': ['charts.js', 'text/javascript; charset=utf-8'],
  '/conversations.js': ['conversations.js', 'text/javascript; charset=utf-8'],
  '/dom.js': ['dom.js', 'text/javascript; charset=utf-8'],
};

/** uPlot's own build, served from node_modules: the page needs no network. */
const UPLOT_FILES: Readonly<Record<string, readonly [file: string, contentType: string]>> = {
  '/uplot.js': ['uplot/dist/uPlot.iife.min.js', 'text/javascript; charset=utf-8'],
  '/uplot.css': ['uplot/dist/uPlot.min.css', 'text/css; charset=utf-8'],
};

/** Reads every file once, at start: a missing one is an installation problem, said before anything listens. */
export function loadPageAssets(pageDirectory = PAGE_DIRECTORY): ReadonlyMap<string, PageAsset> {
  const assets = new Map<string, PageAsset>();
  const require = createRequire(import.meta.url);
  for (const [route, [file, contentType]] of Object.entries(PAGE_FILES)) {
    assets.set(route, { contentType, body: readAsset(`${pageDirectory}/${file}`) });
  }
  for (const [route, [specifier, contentType]] of Object.entries(UPLOT_FILES)) {
    let resolved: string;
    try {
      resolved = require.resolve(specifier);
    } catch (error) {
      throw new NightshiftError('DASHBOARD_ASSET_MISSING', `expected the uplot package in node_modules (${specifier}), found none: run npm install`, { cause: error });
    }
    assets.set(route, { contentType, body: readAsset(resolved) });
  }
  return assets;
}

function readAsset(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new NightshiftError('DASHBOARD_ASSET_MISSING', `expected the dashboard page file ${file}, could not read it (${(error as Error).message}): the src/dashboard/page folder must sit beside dist/`, { cause: error });
  }
}
