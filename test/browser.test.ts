/**
 * The example web app (infra/example-app/) in real headless Chromium (Debian's package, through
 * playwright-core), against the real `npm start` with a 3-second access token, in bearer mode: log in, stay
 * logged in across an expiry (refreshing before it, or after the API's 401), across a reload and across two
 * tabs refreshing at the same moment; log out in one tab and the other is logged out too; end another
 * device's session and that device is logged out at its next refresh.
 *
 * Assertions are what a user would notice (what the page shows) and what the server answered (the runner's
 * log: method, path, status), never how long anything took. Screenshots of the key steps go to
 * test-output/screenshots/ (git-ignored), named after the test: bearer-01-login-form.png, ...
 *
 * Cookie mode's browser tests (the refresh token never readable by page script, CSRF from a hostile page) are
 * in browser-cookie.test.ts; the helpers that drive the page are shared, in support/browser.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../infra/local/dynamodb-local';
import { apiAnswersChecked, clickAndSettle, holdUntilAllSent, TestBrowser, logIn, openApp as openAppAt, screenshot, serverLog as serverLogOf, text, waitPastExpiry } from './support/browser';
import { startServer, type Server } from './support/processes';
import { createTestUser } from './support/users';

/** Seconds an access token lives here: short enough to wait past, long enough for a step to use it. */
const ACCESS_TOKEN_LIFETIME = 3;
const REFRESH_KEY = 'example-app.refresh';

let server: Server;
let dataDir: string;
const chromium = new TestBrowser();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'browser-'));
  // The test run's DynamoDB Local and tables, so that createTestUser's users are the server's.
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(await freePort()), ACCESS_TOKEN_LIFETIME: String(ACCESS_TOKEN_LIFETIME) };
  delete env.API_URL;
  server = await startServer(env);
  await chromium.launch();
});
afterAll(async () => {
  await chromium.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

// Every answer the page got matches the OpenAPI document.
afterEach(async () => {
  await apiAnswersChecked();
});

/** A browser profile of its own: another device, as far as the server and the page can tell. */
async function device(name: string, options: { clockBehindSeconds?: number } = {}): Promise<BrowserContext> {
  const context = await chromium.device(name, server.url);
  if (options.clockBehindSeconds) {
    // A computer whose clock is slow: the page's Date.now() is behind the server's.
    await context.addInitScript((behind: number) => {
      const now = Date.now.bind(Date);
      Date.now = () => now() - behind * 1000;
    }, options.clockBehindSeconds);
  }
  return context;
}

/** Opens the app in a new tab and waits until it has decided: the login form, or an account shared by another tab. */
const openApp = (context: BrowserContext) => openAppAt(context, server.url);

/** A user logged in in one tab, and a second tab of the same site: no second login, it is handed the first tab's. */
async function twoTabsLoggedIn() {
  const { user, password } = await createTestUser();
  const context = await device('laptop');
  const first = await openApp(context);
  await logIn(first, user.username, password);
  const second = await openApp(context);
  await second.locator('#profile-username', { hasText: user.username }).waitFor();
  return { user, first, second };
}

/** The runner's log from here on: one "METHOD /path STATUS" per request. */
const serverLog = () => serverLogOf(server);

const sessionStorageOf = (page: Page) => page.evaluate(() => ({ ...sessionStorage }));

async function refreshWith(refresh: string) {
  const response = await fetch(`${server.url}/api/token/refresh/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh }) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('npm start serves the example app', () => {
  it('at / and /app.js only, for GET only; everything else is the API as before', async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<script type="module" src="./app.js"></script>');
    const script = await fetch(`${server.url}/app.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    for (const [method, path] of [['GET', '/index.html'], ['GET', '/style.css'], ['GET', '/../package.json'], ['POST', '/'], ['DELETE', '/app.js']] as const) {
      const other = await fetch(`${server.url}${path}`, { method });
      expect(other.status, `${method} ${path}`).toBe(404);
      expect(await other.json()).toEqual({ message: 'Not Found' });
    }
    expect((await fetch(`${server.url}/api/token/`)).status).toBe(405);
  });
});

describe('the example app in bearer mode, in headless Chromium', () => {
  it('logs in and shows the profile; the refresh token is in sessionStorage, the access token in memory only (bearer-01, bearer-02)', async () => {
    const { user, password } = await createTestUser();
    const page = await openApp(await device('laptop'));
    await screenshot(page, 'bearer-01-login-form');

    await page.locator('#username').fill(user.username);
    await page.locator('#password').fill('not-the-password');
    await clickAndSettle(page, '#login-button');
    expect(await text(page, '#status')).toBe('No active account found with the given credentials');
    expect(await page.locator('#account-section').isHidden()).toBe(true);

    const login = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/token/' && response.status() === 200);
    await logIn(page, user.username, password);
    const tokens = (await (await login).json()) as { access: string; refresh: string };
    expect(await text(page, '#profile-email')).toBe(user.email);
    expect(await text(page, '#profile-id')).toBe(user.id);
    expect(await text(page, '#mode')).toContain('Bearer mode');
    expect(await page.locator('#sessions tr').count()).toBe(1);
    expect(await text(page, '#sessions tr')).toContain('this browser');
    await screenshot(page, 'bearer-02-profile');

    const storage = await page.evaluate(() => ({ session: { ...sessionStorage }, local: { ...localStorage }, cookies: document.cookie }));
    expect(storage.session[REFRESH_KEY]).toBe(tokens.refresh);
    expect(JSON.stringify(storage)).not.toContain(tokens.access);
  });

  it('keeps working after the access token expires, with one refresh for parallel requests, and after a reload (bearer-03)', async () => {
    const { user, password } = await createTestUser();
    const page = await openApp(await device('laptop'));
    await logIn(page, user.username, password);
    const loginRefresh = (await sessionStorageOf(page))[REFRESH_KEY]!;

    await waitPastExpiry(page);
    const log = serverLog();
    // Reload asks for the profile and the session list at once: both find the token expired.
    await clickAndSettle(page, '#reload');
    expect(await text(page, '#status')).toBe(`Logged in as ${user.username}.`);
    expect(await text(page, '#refresh-count')).toBe('1');
    expect(await log.count('POST /api/token/refresh/ 200')).toBe(1);
    expect(await log.count('GET /account/profile/ 200')).toBe(1);
    expect(await log.count('GET /account/sessions/ 200')).toBe(1);
    expect((await log.lines()).filter((line) => line.endsWith(' 401'))).toEqual([]);
    // Rotation: the stored refresh token was replaced, and the one it replaced no longer works once its grace is over.
    expect((await sessionStorageOf(page))[REFRESH_KEY]).not.toBe(loginRefresh);
    await screenshot(page, 'bearer-03-after-expiry');

    // A reload forgets the access token (memory); the refresh token in sessionStorage gets a new one.
    const reloadLog = serverLog();
    await page.reload();
    await page.locator('#profile-username', { hasText: user.username }).waitFor();
    await page.locator('#status', { hasText: `Logged in as ${user.username}.` }).waitFor();
    expect(await reloadLog.count('POST /api/token/refresh/ 200')).toBe(1);
    expect(await page.locator('#login-section').isHidden()).toBe(true);
  });

  it('on a computer whose clock is slow, refreshes when the API answers 401 token_not_valid, and keeps working', async () => {
    const { user, password } = await createTestUser();
    const page = await openApp(await device('slow clock', { clockBehindSeconds: 600 }));
    await logIn(page, user.username, password);
    await waitPastExpiry(page);
    const log = serverLog();
    await clickAndSettle(page, '#reload');
    expect(await text(page, '#status')).toBe(`Logged in as ${user.username}.`);
    expect(await text(page, '#profile-username')).toBe(user.username);
    // The page thought the token fresh; the API did not; one refresh, then the retries succeed.
    expect(await log.count('GET /account/profile/ 401')).toBe(1);
    expect(await log.count('POST /api/token/refresh/ 200')).toBe(1);
    expect(await log.count('GET /account/profile/ 200')).toBe(1);
    expect(await log.count('GET /account/sessions/ 200')).toBe(1);
  });

  it('shares one login between two tabs, which refresh at the same moment and both stay logged in (bearer-04, bearer-05)', async () => {
    const { user, first, second } = await twoTabsLoggedIn();
    await second.locator('#status', { hasText: 'Logged in (shared with another tab).' }).waitFor();
    expect(await second.locator('#sessions tr').count()).toBe(1);

    // (On a slow machine the second tab may already have refreshed while it loaded: count from here.)
    const refreshesBefore = [await text(first, '#refresh-count'), await text(second, '#refresh-count')].map(Number);
    await waitPastExpiry(first);
    await waitPastExpiry(second);
    // Hold each tab's refresh request until both have sent theirs: the same refresh token, at the same moment.
    const held = await holdUntilAllSent([first, second], '**/api/token/refresh/');
    const log = serverLog();
    await Promise.all([clickAndSettle(first, '#reload'), clickAndSettle(second, '#reload')]);
    held.done();
    expect(held.arrived()).toBe(2);

    for (const [index, page] of [first, second].entries()) {
      expect(await text(page, '#status')).toBe(`Logged in as ${user.username}.`);
      expect(await text(page, '#profile-username')).toBe(user.username);
      expect(Number(await text(page, '#refresh-count'))).toBe(refreshesBefore[index]! + 1);
    }
    // Both got the same successor (REFRESH_REUSE_GRACE): one session, not forked, not revoked.
    expect(await log.count('POST /api/token/refresh/ 200')).toBe(2);
    const [a, b] = [(await sessionStorageOf(first))[REFRESH_KEY], (await sessionStorageOf(second))[REFRESH_KEY]];
    expect(a).toBe(b);
    await clickAndSettle(first, '#reload');
    expect(await first.locator('#sessions tr').count()).toBe(1);
    await screenshot(first, 'bearer-04-two-tabs-first');
    await screenshot(second, 'bearer-05-two-tabs-second');
  });

  it('logs the other tab out when one tab logs out; the token that tab held is refused (bearer-06)', async () => {
    const { first, second } = await twoTabsLoggedIn();
    const secondsToken = (await sessionStorageOf(second))[REFRESH_KEY]!;

    const log = serverLog();
    await clickAndSettle(first, '#logout');
    expect(await log.count('POST /account/logout/ 200')).toBe(1);
    expect(await text(first, '#status')).toBe('Logged out.');
    expect(await first.locator('#login-section').isVisible()).toBe(true);
    // The other tab is told at once; had it missed that, its next refresh would fail, as this one does:
    await second.locator('#status', { hasText: 'You logged out in another tab.' }).waitFor();
    expect(await second.locator('#login-section').isVisible()).toBe(true);
    expect(await second.locator('#account-section').isHidden()).toBe(true);
    expect(await refreshWith(secondsToken)).toMatchObject({ status: 401, body: { code: 'token_not_valid' } });
    expect(await sessionStorageOf(first)).toEqual({});
    expect(await sessionStorageOf(second)).toEqual({});
    await screenshot(second, 'bearer-06-other-tab-logged-out');
  });

  it("lists the user's sessions and ends another device's, which is logged out at its next refresh (bearer-07, bearer-08)", async () => {
    const { user, password } = await createTestUser();
    const phone = await openApp(await device('phone'));
    await logIn(phone, user.username, password);
    const laptop = await openApp(await device('laptop'));
    await logIn(laptop, user.username, password);

    const rows = laptop.locator('#sessions tr');
    expect(await rows.count()).toBe(2);
    const mine = rows.filter({ hasText: 'this browser' });
    expect(await mine.count()).toBe(1);
    expect(await mine.textContent()).toContain('(laptop)');
    const phoneRow = rows.filter({ hasText: '(phone)' });
    expect(await phoneRow.textContent()).not.toContain('this browser');
    await screenshot(laptop, 'bearer-07-sessions');

    const log = serverLog();
    await clickAndSettle(laptop, '#sessions tr:has-text("(phone)") button.end-session');
    expect((await log.lines()).filter((line) => line.startsWith('DELETE /account/sessions/'))).toEqual([expect.stringMatching(/ 204$/)]);
    expect(await text(laptop, '#status')).toBe('Session ended: that device is logged out at its next refresh.');
    expect(await laptop.locator('#sessions tr').count()).toBe(1);
    expect(await text(laptop, '#sessions tr')).toContain('(laptop)');

    // The phone finds out when it next uses its tokens: the API refuses them, and it shows the login form.
    await clickAndSettle(phone, '#reload');
    expect(await phone.locator('#login-section').isVisible()).toBe(true);
    expect(await text(phone, '#status')).toBe('Your session has ended (Token is blacklisted). Please log in again.');
    expect(await sessionStorageOf(phone)).toEqual({});
    await screenshot(phone, 'bearer-08-ended-elsewhere');
    // The laptop is untouched.
    await clickAndSettle(laptop, '#reload');
    expect(await text(laptop, '#status')).toBe(`Logged in as ${user.username}.`);
  });
});
