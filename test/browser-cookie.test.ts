/**
 * The example web app (infra/example-app/) in cookie mode (AUTH_COOKIE=true), in real headless Chromium
 * (Debian's package, through playwright-core), against the real `npm start` with a 3-second access token:
 * the refresh token lives in an HttpOnly cookie the page never sees; the page refreshes through it across an
 * expiry, a reload and two tabs refreshing at the same moment; logout removes it; and a page of another
 * site (and one of another port of the same host) cannot use it.
 *
 * Assertions are what a user or an attacker would notice: what the page shows, what page script can read
 * (document.cookie, storage, response bodies), what the browser keeps (the context's cookie jar, which also
 * sees HttpOnly cookies), and what the server answered (the runner's log: method, path, status); never how
 * long anything took. Every response any tab of a test receives is captured for the whole test and checked
 * for refresh tokens. Screenshots of the key steps: test-output/screenshots/cookie-*.png (git-ignored).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Cookie, Page, Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../infra/local/dynamodb-local';
import { apiAnswersChecked, clickAndSettle, holdUntilAllSent, TestBrowser, logIn, openApp, screenshot, serverLog, text, waitPastExpiry } from './support/browser';
import { startServer, type Server } from './support/processes';
import { createTestUser } from './support/users';

const ACCESS_TOKEN_LIFETIME = 3;
/** JWT_AUTH_REFRESH_COOKIE's and CSRF_COOKIE_NAME's defaults, and the two paths the refresh cookie is sent to. */
const REFRESH_COOKIE = 'refresh_token';
const CSRF_COOKIE = 'csrftoken';
const COOKIE_PATHS = ['/account/logout', '/api/token/refresh'];
const REFRESH_PATH = '/api/token/refresh/';
const LOGOUT_PATH = '/account/logout/';

let server: Server;
let dataDir: string;
const chromium = new TestBrowser();
let hostile: HttpServer;
/** The hostile pages' port: http://localhost:PORT is another site than the API's http://127.0.0.1:...; http://127.0.0.1:PORT is the same site, another origin. */
let hostilePort: number;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'browser-cookie-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(await freePort()),
    ACCESS_TOKEN_LIFETIME: String(ACCESS_TOKEN_LIFETIME),
    AUTH_COOKIE: 'true',
  };
  // The runner's own address (http://127.0.0.1:PORT) is then the API's URL: the cookie's path base, the trusted origin.
  for (const name of ['API_URL', 'CORS_ALLOWED_ORIGINS', 'AUTH_COOKIE_BODY', 'JWT_AUTH_SAMESITE', 'JWT_AUTH_SECURE', 'JWT_AUTH_REFRESH_COOKIE', 'CSRF_COOKIE_NAME']) delete env[name];
  server = await startServer(env);
  expect(new URL(server.url).hostname).toBe('127.0.0.1');
  hostile = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://hostile.invalid');
    const page = url.pathname === '/' ? hostilePage(server.url) : url.pathname === '/top' ? topLevelFormPage(server.url) : undefined;
    response.writeHead(page ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' }).end(page ?? 'not here');
  });
  // All interfaces: the same server answers as http://localhost:PORT and as http://127.0.0.1:PORT.
  await new Promise<void>((resolve) => hostile.listen(0, resolve));
  hostilePort = (hostile.address() as { port: number }).port;
  await chromium.launch();
});
afterAll(async () => {
  await chromium.close();
  await new Promise((resolve) => hostile?.close(resolve));
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

// ---- What a test watches --------------------------------------------------------------------------------------

interface Seen {
  readonly url: string;
  readonly status: number;
  readonly json: boolean;
  readonly body: Promise<string | null>;
}
/** Every response any tab of the test's contexts received, with its body; and every refresh cookie value the server ever set. */
let responses: Seen[];
let refreshValues: Set<string>;

beforeEach(() => {
  responses = [];
  refreshValues = new Set();
});

/** No response body any tab received held a refresh token: no `refresh` field, no refresh cookie's value, no JWT of type refresh. */
afterEach(async () => {
  // Every answer the tabs got matches the OpenAPI document (and there were answers to check).
  expect(await apiAnswersChecked()).toBeGreaterThan(0);
  const bodies = await Promise.all(responses.map(async (response) => ({ ...response, body: await response.body })));
  // Every JSON body was read (the check below is not vacuous), and the server did set refresh cookies to look for.
  expect(bodies.filter((response) => response.json && response.body === null).map((response) => response.url)).toEqual([]);
  expect(bodies.filter((response) => response.json).length).toBeGreaterThan(0);
  expect(refreshValues.size).toBeGreaterThan(0);
  for (const { url, body } of bodies) {
    if (body === null) continue;
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    expect(keysOf(json), url).not.toContain('refresh');
    for (const value of refreshValues) expect(body.includes(value), `${url} answered a refresh cookie's value`).toBe(false);
    for (const jwt of body.match(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/g) ?? []) expect(claimsOf(jwt).token_type, url).not.toBe('refresh');
  }
});

function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
  return [];
}

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

function record(response: Response): void {
  const type = response.headers()['content-type'] ?? '';
  // JSON and HTML (a form's answer shown as a page); the app's own files are the app.
  const readable = /json|text\/html|text\/plain/.test(type) && !/\/app\.js$/.test(response.url());
  responses.push({ url: response.url(), status: response.status(), json: type.includes('json'), body: readable ? response.text().catch(() => null) : Promise.resolve(null) });
  void response.headerValue('set-cookie').then((header) => {
    for (const line of header?.split('\n') ?? []) {
      const match = new RegExp(`^${REFRESH_COOKIE}=([^;]+)`).exec(line.trim());
      if (match) refreshValues.add(match[1]!);
    }
  });
}

/** A browser profile of its own (its own cookie jar), every response of its tabs recorded. */
async function device(name: string): Promise<BrowserContext> {
  const context = await chromium.device(name, server.url);
  context.on('response', record);
  return context;
}

/** The browser's refresh cookies (one per path; HttpOnly, so only the context's API sees them), and the CSRF cookie. */
async function cookieJar(context: BrowserContext) {
  const cookies = await context.cookies();
  const refresh = cookies.filter((cookie) => cookie.name === REFRESH_COOKIE).sort((a, b) => a.path.localeCompare(b.path));
  for (const cookie of refresh) refreshValues.add(cookie.value);
  return { refresh, csrf: cookies.find((cookie) => cookie.name === CSRF_COOKIE) };
}

/** The value of the refresh cookie, which both paths' cookies hold. */
async function refreshCookie(context: BrowserContext): Promise<string> {
  const { refresh } = await cookieJar(context);
  expect(refresh.map((cookie) => cookie.path)).toEqual(COOKIE_PATHS);
  expect(refresh[1]!.value).toBe(refresh[0]!.value);
  return refresh[0]!.value;
}

/** What page script can see: document.cookie and both storages. */
const scriptView = (page: Page) => page.evaluate(() => ({ cookie: document.cookie, local: { ...localStorage }, session: { ...sessionStorage } }));

/** A refresh as a script of the API's own origin would send it with the cookies it names. */
async function refreshWithCookies(cookies: { refresh: string; csrf: string }) {
  const response = await fetch(`${server.url}${REFRESH_PATH}`, {
    method: 'POST',
    headers: { origin: server.url, cookie: `${REFRESH_COOKIE}=${cookies.refresh}; ${CSRF_COOKIE}=${cookies.csrf}`, 'x-csrftoken': cookies.csrf },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function loggedIn(context: BrowserContext) {
  const { user, password } = await createTestUser();
  const page = await openApp(context, server.url);
  await logIn(page, user.username, password);
  return { user, password, page };
}

/** A user logged in in one tab, and a second tab of the same browser: handed the first tab's login, no second one. */
async function twoTabsLoggedIn() {
  const context = await device('laptop');
  const { user, page: first } = await loggedIn(context);
  const second = await openApp(context, server.url);
  await second.locator('#profile-username', { hasText: user.username }).waitFor();
  return { user, context, first, second };
}

// ---- The tests --------------------------------------------------------------------------------------------------

describe('the example app in cookie mode, in headless Chromium', () => {
  it('logs in and shows the profile; page script never sees the refresh token, in no body, cookie or storage (cookie-01, cookie-02)', async () => {
    const { user, password } = await createTestUser();
    const context = await device('laptop');
    const page = await openApp(context, server.url);
    expect(await text(page, '#status')).toBe('Please log in.');
    await screenshot(page, 'cookie-01-login-form');

    const login = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/token/' && response.status() === 200);
    await logIn(page, user.username, password);
    const answer = await login;
    expect(Object.keys((await answer.json()) as object)).toEqual(['access']);
    expect(await text(page, '#profile-email')).toBe(user.email);
    expect(await text(page, '#profile-id')).toBe(user.id);
    expect(await text(page, '#mode')).toBe('Cookie mode: access token in memory, refresh token in an HttpOnly cookie');
    expect(await text(page, '#sessions tr')).toContain('this browser');
    await screenshot(page, 'cookie-02-profile');

    // The browser holds it: HttpOnly, SameSite=Lax, not Secure on plain-HTTP 127.0.0.1, sent to refresh and logout only.
    const refresh = await refreshCookie(context);
    const { refresh: cookies, csrf } = await cookieJar(context);
    for (const cookie of cookies) expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, domain: '127.0.0.1' });
    expect(claimsOf(refresh).token_type).toBe('refresh');
    expect(csrf).toMatchObject({ httpOnly: false, path: '/' });
    // Page script sees the CSRF cookie (that is its purpose) and nothing of the refresh token.
    const view = await scriptView(page);
    expect(view.cookie).toContain(`${CSRF_COOKIE}=${csrf!.value}`);
    expect(view.cookie).not.toContain(REFRESH_COOKIE);
    expect(JSON.stringify(view)).not.toContain(refresh);
    expect(Object.keys(view.local)).toEqual([]);
    expect(view.session['example-app.refresh']).toBeUndefined();
    expect(view.session['example-app.mode']).toBe('cookie');
  });

  it('refreshes through the cookie when the access token expires (rotating it), and after a reload (cookie-03)', async () => {
    const context = await device('laptop');
    const { user, page } = await loggedIn(context);
    const atLogin = await refreshCookie(context);
    const csrf = (await cookieJar(context)).csrf!.value;
    const sent: Record<string, string>[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === REFRESH_PATH) void request.allHeaders().then((headers) => sent.push(headers));
    });

    await waitPastExpiry(page);
    const log = serverLog(server);
    await clickAndSettle(page, '#reload');
    expect(await text(page, '#status')).toBe(`Logged in as ${user.username}.`);
    expect(await text(page, '#refresh-count')).toBe('1');
    expect(await log.count(`POST ${REFRESH_PATH} 200`)).toBe(1);
    expect(await log.count('GET /account/profile/ 200')).toBe(1);
    expect((await log.lines()).filter((line) => / (4|5)\d\d$/.test(line))).toEqual([]);
    // The refresh carried the cookie (and only to its path: no other request did) and the double submit.
    expect(sent).toHaveLength(1);
    expect(sent[0]!['x-csrftoken']).toBe(csrf);
    expect(sent[0]!.cookie).toContain(`${REFRESH_COOKIE}=${atLogin}`);
    // Rotated: the browser now holds the successor, still out of script's reach.
    const afterExpiry = await refreshCookie(context);
    expect(afterExpiry).not.toBe(atLogin);
    expect(claimsOf(afterExpiry).sid).toBe(claimsOf(atLogin).sid);
    expect(await scriptView(page).then((view) => view.cookie)).not.toContain(REFRESH_COOKIE);
    await screenshot(page, 'cookie-03-after-expiry');

    // A reload forgets the access token (memory only); the cookie gets a new one.
    const reloadLog = serverLog(server);
    await page.reload();
    await page.locator('#status', { hasText: `Logged in as ${user.username}.` }).waitFor();
    expect(await text(page, '#profile-username')).toBe(user.username);
    expect(await reloadLog.count(`POST ${REFRESH_PATH} 200`)).toBe(1);
    expect(await refreshCookie(context)).not.toBe(afterExpiry);
  });

  it('shares one login between two tabs, which refresh through the cookie at the same moment and both stay logged in (cookie-04, cookie-05)', async () => {
    const { user, context, first, second } = await twoTabsLoggedIn();
    await second.locator('#status', { hasText: 'Logged in (shared with another tab).' }).waitFor();
    const before = await refreshCookie(context);
    const refreshesBefore = [await text(first, '#refresh-count'), await text(second, '#refresh-count')].map(Number);
    await waitPastExpiry(first);
    await waitPastExpiry(second);

    // Both tabs' refresh requests held until both are sent: the same cookie, at the same moment.
    const held = await holdUntilAllSent([first, second], `**${REFRESH_PATH}`);
    const answers: Response[] = [];
    const keep = (response: Response) => void (new URL(response.url()).pathname === REFRESH_PATH && answers.push(response));
    first.on('response', keep);
    second.on('response', keep);
    const log = serverLog(server);
    await Promise.all([clickAndSettle(first, '#reload'), clickAndSettle(second, '#reload')]);
    held.done();
    expect(held.arrived()).toBe(2);

    for (const [index, page] of [first, second].entries()) {
      expect(await text(page, '#status')).toBe(`Logged in as ${user.username}.`);
      expect(Number(await text(page, '#refresh-count'))).toBe(refreshesBefore[index]! + 1);
    }
    expect(await log.count(`POST ${REFRESH_PATH} 200`)).toBe(2);
    // Both answers set the same successor (REFRESH_REUSE_GRACE): whichever the browser kept last, it is the session's.
    const successors = await Promise.all(answers.map(async (answer) => /refresh_token=([^;]+)/.exec((await answer.headerValue('set-cookie')) ?? '')?.[1]));
    expect(successors).toHaveLength(2);
    expect(successors[0]).toBeDefined();
    expect(successors[1]).toBe(successors[0]);
    expect(await refreshCookie(context)).toBe(successors[0]);
    expect(successors[0]).not.toBe(before);

    // And the session goes on: one session, and the next expiry refreshes again.
    await waitPastExpiry(first);
    const next = serverLog(server);
    await clickAndSettle(first, '#reload');
    expect(await text(first, '#status')).toBe(`Logged in as ${user.username}.`);
    expect(await next.count(`POST ${REFRESH_PATH} 200`)).toBe(1);
    expect(await first.locator('#sessions tr').count()).toBe(1);
    await screenshot(first, 'cookie-04-two-tabs-first');
    await screenshot(second, 'cookie-05-two-tabs-second');
  });

  it('logs out in one tab: the cookie is gone, the other tab is logged out at once, and the server refuses the old cookie (cookie-06)', async () => {
    const { context, first, second } = await twoTabsLoggedIn();
    const refresh = await refreshCookie(context);
    const csrf = (await cookieJar(context)).csrf!.value;

    const log = serverLog(server);
    await clickAndSettle(first, '#logout');
    expect(await log.count(`POST ${LOGOUT_PATH} 200`)).toBe(1);
    expect(await text(first, '#status')).toBe('Logged out.');
    expect(await first.locator('#login-section').isVisible()).toBe(true);
    expect((await cookieJar(context)).refresh).toEqual([]);
    // The other tab is told over the tabs' channel at once.
    await second.locator('#status', { hasText: 'You logged out in another tab.' }).waitFor();
    expect(await second.locator('#account-section').isHidden()).toBe(true);
    await screenshot(second, 'cookie-06-other-tab-logged-out');

    // The token the cookie held is refused (its session ended), cookie and CSRF proof notwithstanding.
    // (One log for both steps: the runner may log a request just after its answer has arrived.)
    const refusedLog = serverLog(server);
    expect(await refreshWithCookies({ refresh, csrf })).toMatchObject({ status: 401, body: { code: 'token_not_valid' } });
    // A tab that opens now tries the cookie (the csrftoken cookie is still there), finds none, and asks for a login.
    const third = await openApp(context, server.url);
    await third.locator('#status', { hasText: 'Please log in.' }).waitFor();
    expect(await third.locator('#account-section').isHidden()).toBe(true);
    expect((await refusedLog.lines()).sort()).toEqual(['GET / 200', 'GET /app.js 200', `POST ${REFRESH_PATH} 401`, `POST ${REFRESH_PATH} 401`]);
  });

  describe('a hostile page in the same browser cannot use the cookie (CSRF) (cookie-07, cookie-08)', () => {
    // Another site: the hostile page at http://localhost:P, the API at http://127.0.0.1:Q. SameSite=Lax already
    // keeps the browser from sending the cookie with its POSTs; CSRF proof and the Origin check are the second line.
    it('from another site (localhost): no token read, the requests refused, the session intact', async () => {
      await attackAndSurvive('localhost', { cookieSent: false });
    });
    // Another origin of the same site (another port of 127.0.0.1): the browser does send the cookie (SameSite
    // is about sites), and the page can even read the csrftoken cookie (cookies ignore ports); the Origin
    // check and CORS refuse it anyway.
    it('from another port of the same host (same site, another origin): no token read, the requests refused, the session intact', async () => {
      await attackAndSurvive('127.0.0.1', { cookieSent: true });
    });
  });
});

interface Attempt {
  readonly label: string;
  readonly error?: string;
  readonly type?: string;
  readonly status?: number;
  readonly body?: string;
}

async function attackAndSurvive(host: 'localhost' | '127.0.0.1', { cookieSent }: { cookieSent: boolean }): Promise<void> {
  const context = await device(`victim of ${host}`);
  const { user, page: app } = await loggedIn(context);
  const before = await cookieJar(context);
  const refreshBefore = await refreshCookie(context);
  const hostileOrigin = `http://${host}:${hostilePort}`;

  const log = serverLog(server);
  const attacker = await context.newPage();
  // The page auto-submits its two forms (refresh, logout) into frames of its own and tries to read the answers.
  await attacker.goto(`${hostileOrigin}/`);
  await attacker.waitForFunction(() => Object.keys((window as unknown as { formResults: object }).formResults).length === 2);
  const formResults = await attacker.evaluate(() => (window as unknown as { formResults: Record<string, string> }).formResults);
  // Its script tries fetch: a "simple" request (no preflight), one with a CSRF header (preflighted), an opaque one.
  const attempts = await attacker.evaluate(fetchAttacks, server.url);
  const readableCookies = await attacker.evaluate(() => document.cookie);
  await screenshot(attacker, `cookie-07-hostile-page-${host}`);
  // And a top-level form post, the classic CSRF: the tab ends up on the API's answer, out of the page's reach.
  const topLevel = await context.newPage();
  const topAnswer = topLevel.waitForResponse((response) => new URL(response.url()).pathname === REFRESH_PATH);
  await topLevel.goto(`${hostileOrigin}/top`);
  const top = await topAnswer;
  await topLevel.waitForLoadState();

  // The hostile page read nothing: the frames' answers are another origin's, the fetches failed or were opaque.
  expect(formResults).toEqual({ refresh: 'unreadable', logout: 'unreadable' });
  const byLabel = Object.fromEntries(attempts.map((attempt) => [attempt.label, attempt]));
  expect(byLabel['refresh, no preflight']!.error).toMatch(/TypeError: Failed to fetch/);
  expect(byLabel['logout, no preflight']!.error).toMatch(/TypeError: Failed to fetch/);
  expect(byLabel['refresh, X-CSRFToken header']!.error).toMatch(/TypeError: Failed to fetch/);
  expect(byLabel['refresh, no-cors']).toEqual({ label: 'refresh, no-cors', type: 'opaque', status: 0, body: '' });
  expect(JSON.stringify(attempts)).not.toContain(refreshBefore);
  expect(JSON.stringify(attempts)).not.toContain('access');
  // It never sees the refresh cookie; on the same host it does see csrftoken (cookies ignore ports), which helps it not.
  expect(readableCookies).not.toContain(REFRESH_COOKIE);
  expect(readableCookies.includes(CSRF_COOKIE)).toBe(cookieSent);

  // What reached the runner, and its answers: never a 200. (The preflighted POST never left the browser.)
  const attacks = (await log.lines()).filter((line) => line.startsWith('POST '));
  const refused = cookieSent ? 403 : 401;
  expect(attacks.sort()).toEqual(
    [`POST ${LOGOUT_PATH} ${cookieSent ? 403 : 400}`, `POST ${LOGOUT_PATH} ${cookieSent ? 403 : 400}`, ...Array(4).fill(`POST ${REFRESH_PATH} ${refused}`)].sort(),
  );
  expect(await log.count(`OPTIONS ${REFRESH_PATH} 204`)).toBe(1);
  // The top-level form's answer, as the server gave it (the test can read it; the hostile page could not):
  expect(top.status()).toBe(refused);
  expect(await top.json()).toEqual(
    cookieSent
      ? { detail: `CSRF Failed: Origin checking failed - ${hostileOrigin} does not match any trusted origins.` }
      : { detail: 'No valid refresh token found.', code: 'token_not_valid' },
  );
  await screenshot(topLevel, `cookie-08-form-post-answer-${host}`);

  // The session is intact: the cookies neither rotated nor cleared, and the app tab refreshes and works.
  const after = await cookieJar(context);
  expect(after.refresh.map(({ value, path, expires }: Cookie) => ({ value, path, expires }))).toEqual(before.refresh.map(({ value, path, expires }) => ({ value, path, expires })));
  expect(after.csrf?.value).toBe(before.csrf!.value);
  await waitPastExpiry(app);
  const appLog = serverLog(server);
  await clickAndSettle(app, '#reload');
  expect(await text(app, '#status')).toBe(`Logged in as ${user.username}.`);
  expect(await appLog.count(`POST ${REFRESH_PATH} 200`)).toBe(1);
  expect(await refreshCookie(context)).not.toBe(refreshBefore);
  await screenshot(app, `cookie-09-app-after-attack-${host}`);
}

/** Runs in the hostile page: its script's fetches, with the browser's cookies (credentials: 'include'). */
async function fetchAttacks(api: string): Promise<Attempt[]> {
  // The best CSRF token it has: the csrftoken cookie if it can read it (same host), else a guess of the right shape.
  const readable = /(?:^|; )csrftoken=([^;]*)/.exec(document.cookie)?.[1];
  const token = readable ?? 'a'.repeat(32);
  const attempt = async (label: string, path: string, init: RequestInit): Promise<Attempt> => {
    try {
      const response = await fetch(`${api}${path}`, { method: 'POST', credentials: 'include', ...init });
      return { label, type: response.type, status: response.status, body: await response.text() };
    } catch (error) {
      return { label, error: String(error) };
    }
  };
  return [
    // No body: an empty POST is what the app's own refresh amounts to (a text/plain body would only earn a 415).
    await attempt('refresh, no preflight', '/api/token/refresh/', {}),
    await attempt('logout, no preflight', '/account/logout/', {}),
    await attempt('refresh, X-CSRFToken header', '/api/token/refresh/', { headers: { 'Content-Type': 'application/json', 'X-CSRFToken': token }, body: '{}' }),
    await attempt('refresh, no-cors', '/api/token/refresh/', { mode: 'no-cors' }),
  ];
}

/** The hostile page: two forms posted at load into frames of its own, whose answers its script then tries to read. */
function hostilePage(api: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Free prizes</title></head>
<body style="font-family: sans-serif; background: #fff4e5">
<h1>A page of another origin</h1>
<p>It posts forms to the API from here, and its script tries to read the answers.</p>
<form id="refresh" method="post" action="${api}/api/token/refresh/" target="sink-refresh"><input type="hidden" name="csrfmiddlewaretoken" value="${'a'.repeat(32)}"></form>
<form id="logout" method="post" action="${api}/account/logout/" target="sink-logout"><input type="hidden" name="csrfmiddlewaretoken" value="${'a'.repeat(32)}"></form>
<iframe name="sink-refresh" title="refresh" style="width: 45%; height: 8em"></iframe>
<iframe name="sink-logout" title="logout" style="width: 45%; height: 8em"></iframe>
<pre id="out"></pre>
<script>
window.formResults = {};
window.addEventListener('load', () => {
  for (const name of ['refresh', 'logout']) {
    const frame = document.querySelector('iframe[name="sink-' + name + '"]');
    frame.addEventListener('load', () => {
      let read;
      try {
        read = frame.contentDocument ? frame.contentDocument.body.textContent : 'unreadable';
      } catch (error) {
        read = 'unreadable';
      }
      window.formResults[name] = read;
      document.getElementById('out').textContent += name + ': ' + read + '\\n';
    });
    document.getElementById(name).submit();
  }
});
</script>
</body></html>`;
}

/** A page that posts a form to the refresh endpoint at load, as the top-level page. */
function topLevelFormPage(api: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Loading…</title></head>
<body><form method="post" action="${api}/api/token/refresh/"><input type="hidden" name="refresh" value=""></form>
<script>document.forms[0].submit();</script></body></html>`;
}
