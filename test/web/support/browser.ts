/**
 * Chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core (no browser
 * download, ever). Each context gets a fresh user-data-dir, so tests never share cookies or storage.
 * A missing Chromium fails the run with the command that installs it: CI installs it, so skipping would
 * only hide a broken setup.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const WEB_DIST = path.join(ROOT, 'apps/web/dist');
export const SCREENSHOTS = path.join(ROOT, 'test/artifacts/screenshots');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1366, height: 900 };

/** Fails clearly when the prerequisites of the browser tests are missing. */
export function requireBrowserPrerequisites(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}. The browser tests need Debian's Chromium: install it with \`apt-get install -y chromium\` (never \`npx playwright install\`), or set CHROMIUM_PATH.`);
  }
  if (!existsSync(path.join(WEB_DIST, 'index.html'))) {
    throw new Error(`The web app is not built (${WEB_DIST}/index.html missing): run \`npx nx run web:build\` first.`);
  }
}

export interface OpenContext {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** A browser of its own (fresh user-data-dir) with one page. */
export async function openContext(viewport = DESKTOP, options: { reducedMotion?: 'reduce' | 'no-preference' } = {}): Promise<OpenContext> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fapai-chromium-'));
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: options.reducedMotion });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  // Every page of every browser test runs under the API's Content-Security-Policy: anything of ours that it
  // refuses (a script, a style, a socket) fails the test's file when its browser closes.
  const refusedByPolicy: string[] = [];
  context.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) refusedByPolicy.push(`${message.page()?.url() ?? ''}: ${message.text().slice(0, 300)}`);
  });
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
      if (refusedByPolicy.length > 0) throw new Error(`the Content-Security-Policy refused:\n${refusedByPolicy.join('\n')}`);
    },
  };
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string }[];
}

/** Runs axe-core (WCAG 2.0–2.2 A and AA rules) in the page; returns the serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated, not added as a <script>: the page's Content-Security-Policy refuses inline scripts.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const res = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return res.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, html: n.html.slice(0, 200) })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Full-page screenshots at phone and desktop widths, into the git-ignored artifacts folder. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const original = page.viewportSize();
  for (const [label, size] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
    await page.setViewportSize(size);
    await page.waitForTimeout(200);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${label}.png`), fullPage: true });
  }
  if (original) await page.setViewportSize(original);
}
