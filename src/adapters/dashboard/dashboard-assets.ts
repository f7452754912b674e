// The dashboard's files as the admin port serves them: the page at / (also /dashboard), its script and
// its stylesheet. They live in TypeScript string modules, not in files read at run time, so the
// one-file bundle and the single executable serve the same page as the sources.

import { DASHBOARD_HTML } from './dashboard-page.ts';
import { DASHBOARD_SCRIPT } from './dashboard-script.ts';
import { DASHBOARD_STYLE } from './dashboard-style.ts';

export interface StaticFile {
  readonly contentType: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Same-origin script, style and fetches only: no inline script or style (the script builds the page
 * with DOM calls and SVG attributes, which CSP does not restrict), no plugins, no framing, no forms.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-cache',
};

const page: StaticFile = { contentType: 'text/html; charset=utf-8', body: DASHBOARD_HTML, headers: HEADERS };

const FILES: ReadonlyMap<string, StaticFile> = new Map([
  ['/', page],
  ['/dashboard', page],
  ['/dashboard.js', { contentType: 'text/javascript; charset=utf-8', body: DASHBOARD_SCRIPT, headers: HEADERS }],
  ['/dashboard.css', { contentType: 'text/css; charset=utf-8', body: DASHBOARD_STYLE, headers: HEADERS }],
]);

/** The dashboard file at `path`, or undefined. */
export function dashboardFile(path: string): StaticFile | undefined {
  return FILES.get(path);
}

export const DASHBOARD_PATHS: readonly string[] = [...FILES.keys()];
