/**
 * Real headless Chromium for the browser tests: Debian's `chromium` package (/usr/bin/chromium, or
 * CHROMIUM_PATH), driven by playwright-core, which downloads no browser of its own. A missing Chromium is a
 * failure that says how to install it, never a skip: `.ci/run` installs it.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Route } from 'playwright-core';
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
