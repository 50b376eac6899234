/**
 * Real headless Chromium for the browser tests: Debian's `chromium` package (/usr/bin/chromium, or
 * CHROMIUM_PATH), driven by playwright-core, which downloads no browser of its own. A missing Chromium is a
 * failure that says how to install it, never a skip: `.ci/run` installs it.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Response, type Route } from 'playwright-core';
import { checkHttpAnswer } from './api-fetch';
import { PROJECT_ROOT, type Server } from './processes';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Where the browser tests put their screenshots (git-ignored). */
export const SCREENSHOT_DIR = join(PROJECT_ROOT, 'test-output', 'screenshots');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium was not found at ${CHROMIUM_PATH}. The browser tests need Debian's chromium package: ` +
        '`apt-get install -y chromium` (as root, or with sudo; .ci/run does it), or set CHROMIUM_PATH.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Playwright already runs Chromium without its sandbox (chromiumSandbox defaults to false), which it
    // needs as root; a container's small /dev/shm would crash renderers, so use /tmp instead.
    args: ['--disable-dev-shm-usage'],
  });
}

/** A full-page screenshot to test-output/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

// ---- Driving the example app (infra/example-app/): shared by the bearer and the cookie-mode tests ----------

/** Opens the app at `url` in a new tab and waits until it has decided: the login form, or an account (a reload, another tab's, a cookie's). */
export async function openApp(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('#login-section:not([hidden]), #account-section:not([hidden])').first().waitFor();
  return page;
}

export async function logIn(page: Page, username: string, password: string): Promise<void> {
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('#login-button').click();
  await page.locator('#profile-username', { hasText: username }).waitFor();
  await page.locator('#status', { hasText: `Logged in as ${username}.` }).waitFor();
}

export const text = async (page: Page, selector: string) => ((await page.locator(selector).textContent()) ?? '').trim();
const settled = async (page: Page) => Number(await page.evaluate(() => document.body.dataset.settled ?? '0'));

/** Clicks and waits until the step that the click started has finished (the page counts them on <body data-settled>). */
export async function clickAndSettle(page: Page, selector: string): Promise<void> {
  const before = await settled(page);
  await page.locator(selector).click();
  await page.waitForFunction((count) => Number(document.body.dataset.settled ?? '0') > count, before);
}

/** Waits until the access token the page shows has expired by the server's clock (the same machine's). */
export async function waitPastExpiry(page: Page): Promise<void> {
  const exp = Number(await page.locator('#token-expiry').getAttribute('data-exp'));
  if (!(exp > 0)) throw new Error('the page shows no access token expiry');
  const wait = exp * 1000 + 500 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

/**
 * The runner's log from now on: one "METHOD /path STATUS" per request it answered. The runner writes a line
 * just after its answer, so a request the browser has its answer to may not be logged yet: each read first
 * sends a request of its own and waits until that one is logged, after every request answered before it.
 */
export function serverLog(server: Server) {
  const start = server.output().length;
  const lines = async () => {
    const mark = `/.log-mark/${randomUUID()}`;
    await fetch(`${server.url}${mark}`).then((response) => response.arrayBuffer());
    for (let tries = 0; !server.output().includes(`GET ${mark} `); tries++) {
      if (tries > 1000) throw new Error(`the runner never logged ${mark}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return server
      .output()
      .slice(start)
      .split('\n')
      .map((line) => /^(GET|POST|DELETE|PUT|PATCH|OPTIONS|HEAD) (\S+) (\d{3}) /.exec(line))
      .filter((match): match is RegExpExecArray => match !== null && !match[2]!.startsWith('/.log-mark/'))
      .map((match) => `${match[1]} ${match[2]} ${match[3]}`);
  };
  return {
    lines,
    count: async (request: string) => (await lines()).filter((line) => line === request).length,
  };
}

/**
 * Holds every tab's request to `url` until each of `pages` has sent one: requests that leave at the same
 * moment, whatever each tab's timing. `arrived()` says how many were held (a tab that never sent one is
 * released after 20 s, and the count shows it); call `done()` afterwards.
 */
export async function holdUntilAllSent(pages: readonly Page[], url: string) {
  let arrived = 0;
  let release!: () => void;
  const allSent = new Promise<void>((resolve) => (release = resolve));
  const fallback = setTimeout(release, 20_000);
  const hold = async (route: Route) => {
    if (++arrived === pages.length) release();
    await allSent;
    await route.continue();
  };
  for (const page of pages) await page.route(url, hold);
  return {
    arrived: () => arrived,
    done: () => clearTimeout(fallback),
  };
}

const pendingAnswerChecks: Promise<void>[] = [];

/**
 * Every answer the API at `apiOrigin` gives the pages of that origin in this browser profile (the example
 * app's requests) is checked against the OpenAPI document that server serves, as the HTTP tests' answers
 * are (support/api-fetch.ts). A hostile page's requests are not: Chromium keeps no body of a cross-origin
 * frame's navigation to hand over, and those tests assert the runner's status lines themselves. Await
 * apiAnswersChecked() after each test.
 */
export function checkApiAnswers(context: BrowserContext, apiOrigin: string): void {
  context.on('response', (response) => {
    const url = new URL(response.url());
    const request = response.request();
    if (url.origin !== apiOrigin || originOfFrame(request) !== apiOrigin) return;
    pendingAnswerChecks.push(
      (async () => {
        const [requestHeaders, headers] = await Promise.all([request.allHeaders(), response.allHeaders()]);
        // A 204 has no body to read; any other answer's body must be readable to be checked.
        const body = response.status() === 204 ? '' : await response.text();
        await checkHttpAnswer(apiOrigin, { method: request.method(), path: url.pathname, headers: requestHeaders }, { status: response.status(), headers, body });
      })(),
    );
  });
}

function originOfFrame(request: ReturnType<Response['request']>): string | undefined {
  try {
    return new URL(request.frame().url()).origin;
  } catch {
    return undefined;
  }
}

/** Waits for the checks of every answer seen since the last call; fails with the first mismatch. Answers how many were checked. */
export async function apiAnswersChecked(): Promise<number> {
  const checks = pendingAnswerChecks.splice(0);
  await Promise.all(checks);
  return checks.length;
}

/**
 * A test file's Chromium and the browser profiles (devices) its tests open, each with the example app's
 * answers checked against the OpenAPI document (checkApiAnswers). A launch failure is kept, not thrown:
 * each test then fails with it, since a missing Chromium must fail, never skip.
 */
export class TestBrowser {
  private browser: Browser | undefined;
  private launchError: unknown;
  private readonly contexts: BrowserContext[] = [];

  async launch(): Promise<void> {
    this.browser = await launchChromium().catch((error: unknown) => {
      this.launchError = error;
      return undefined;
    });
  }

  /** A browser profile of its own (its own cookie jar and storage): another device, as the server and the page see it. */
  async device(name: string, apiOrigin: string): Promise<BrowserContext> {
    if (!this.browser) throw this.launchError;
    const context = await this.browser.newContext({
      userAgent: `Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome example-app-test (${name})`,
      viewport: { width: 900, height: 900 },
    });
    this.contexts.push(context);
    checkApiAnswers(context, apiOrigin);
    return context;
  }

  async close(): Promise<void> {
    for (const context of this.contexts) await context.close().catch(() => undefined);
    await this.browser?.close();
  }
}
