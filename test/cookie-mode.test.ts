/**
 * Cookie mode (AUTH_COOKIE) as a browser app sees it: the refresh token only ever in an HttpOnly cookie
 * scoped to refresh and logout, CSRF proof (Origin and Django's double submit) before the cookie is used,
 * and the cookie removed when its session is over. The refresh token in a body still works as in
 * simplejwt (native clients), without the cookie and without CSRF proof.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LambdaHandler } from '../shared/http/endpoint';
import { loadSettings } from '../shared/settings';
import { bearer, invoke, type Answer } from './support/invoke';
import { createTestUser } from './support/users';

const APP = 'https://app.test.example';
let h: Record<'obtain' | 'refresh' | 'logout' | 'profile' | 'logoutAll', LambdaHandler>;

async function loadHandlers(env: Record<string, string>) {
  vi.unstubAllEnvs();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  const load = async (name: string) => ((await import(`../functions/${name}.ts`)) as { handler: LambdaHandler }).handler;
  h = { obtain: await load('obtain'), refresh: await load('refresh'), logout: await load('logout'), profile: await load('profile'), logoutAll: await load('logout-all') };
}

beforeAll(() => loadHandlers({ AUTH_COOKIE: 'true', CORS_ALLOWED_ORIGINS: APP }));
afterAll(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

interface SetCookie {
  readonly name: string;
  readonly value: string;
  readonly attributes: Record<string, string>;
}
const parseSetCookie = (line: string): SetCookie => {
  const [pair, ...attributes] = line.split(';').map((part) => part.trim());
  const at = pair!.indexOf('=');
  return {
    name: pair!.slice(0, at),
    value: pair!.slice(at + 1),
    attributes: Object.fromEntries(attributes.map((a) => [a.split('=')[0]!.toLowerCase(), a.includes('=') ? a.slice(a.indexOf('=') + 1) : ''])),
  };
};

/** The cookies a browser keeps from the answers it got, and which of them it sends to a path (RFC 6265 path-match). */
class Browser {
  private jar: (SetCookie & { path: string })[] = [];
  keep(answer: Answer): this {
    for (const cookie of answer.cookies.map(parseSetCookie)) {
      const path = cookie.attributes.path ?? '/';
      this.jar = this.jar.filter((c) => !(c.name === cookie.name && c.path === path));
      if (Number(cookie.attributes['max-age']) > 0) this.jar.push({ ...cookie, path });
    }
    return this;
  }
  cookieHeader(path: string): string {
    return this.jar
      .filter((c) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
  value(name: string): string | undefined {
    return this.jar.find((c) => c.name === name)?.value;
  }
  has(name: string): boolean {
    return this.jar.some((c) => c.name === name);
  }
  /** A POST as the app's page sends it: its origin, its cookies for the path, and the CSRF header from the readable cookie (null: none). */
  post(handler: LambdaHandler, path: string, { csrf = this.value('csrftoken'), origin = APP, body }: { csrf?: string | null | undefined; origin?: string; body?: unknown } = {}) {
    const headers: Record<string, string> = { origin, cookie: this.cookieHeader(path), ...(csrf == null ? {} : { 'x-csrftoken': csrf }) };
    return invoke(handler, { path, headers, ...(body === undefined ? {} : { body }) });
  }
}

async function logIn(browser = new Browser()) {
  const { user, password } = await createTestUser();
  const answer = await invoke(h.obtain, { path: '/api/token/', headers: { origin: APP }, body: { username: user.username, password } });
  expect(answer.status).toBe(200);
  browser.keep(answer);
  return { user, password, answer, browser };
}

describe('cookie mode: login', () => {
  it('puts the refresh token in an HttpOnly, Secure, Lax cookie for refresh and logout only, ending with the token; the body has the access token only', async () => {
    const { answer } = await logIn();
    expect(Object.keys(answer.body)).toEqual(['access']);
    const cookies = answer.cookies.map(parseSetCookie);
    const refresh = cookies.filter((c) => c.name === 'refresh_token');
    expect(refresh.map((c) => c.attributes.path).sort()).toEqual(['/account/logout', '/api/token/refresh']);
    for (const cookie of refresh) {
      expect(cookie.attributes).toMatchObject({ httponly: '', secure: '', samesite: 'Lax' });
      const exp = JSON.parse(Buffer.from(cookie.value.split('.')[1]!, 'base64url').toString()).exp;
      expect(Math.abs(Math.floor(Date.now() / 1000) + Number(cookie.attributes['max-age']) - exp)).toBeLessThanOrEqual(2);
    }
    const csrf = cookies.find((c) => c.name === 'csrftoken')!;
    expect(csrf.value).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(csrf.attributes).toMatchObject({ path: '/', samesite: 'Lax', secure: '' });
    expect(csrf.attributes).not.toHaveProperty('httponly');
    // An app on another site cannot read the cookie: the header hands it the same token.
    expect(answer.headers['x-csrftoken']).toBe(csrf.value);
  });

  it('refuses a login posted from a site that is not allowed (login CSRF), with Django’s reason', async () => {
    const { user, password } = await createTestUser();
    const answer = await invoke(h.obtain, { path: '/api/token/', headers: { origin: 'https://evil.example' }, body: { username: user.username, password } });
    expect(answer).toMatchObject({ status: 403, body: { detail: 'CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins.' } });
    expect(answer.cookies).toEqual([]);
  });

  it('gives each login a new CSRF token', async () => {
    const first = (await logIn()).browser.value('csrftoken');
    const second = (await logIn()).browser.value('csrftoken');
    expect(first).not.toBe(second);
  });
});

describe('cookie mode: refresh', () => {
  it('refreshes from the cookie with the CSRF header, rotates the cookie, and never puts the refresh token in the body', async () => {
    const { browser } = await logIn();
    const before = browser.value('refresh_token');
    const answer = await browser.post(h.refresh, '/api/token/refresh/');
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body)).toEqual(['access']);
    browser.keep(answer);
    expect(browser.value('refresh_token')).not.toBe(before);
    expect((await invoke(h.profile, { method: 'GET', headers: bearer(answer.body.access) })).status).toBe(200);
    // And again with the rotated cookie.
    expect((await browser.post(h.refresh, '/api/token/refresh/')).status).toBe(200);
  });

  it('answers Django’s CSRF failures as DRF does (403 "CSRF Failed: ...") and uses nothing up', async () => {
    const { browser } = await logIn();
    const csrf = browser.value('csrftoken')!;
    const wrong = csrf.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    const cases: [Parameters<Browser['post']>[2], string][] = [
      [{ csrf: null }, 'CSRF token missing.'],
      [{ csrf: wrong }, "CSRF token from the 'X-Csrftoken' HTTP header incorrect."],
      [{ csrf: 'short' }, "CSRF token from the 'X-Csrftoken' HTTP header has incorrect length."],
      [{ origin: 'https://evil.example' }, 'Origin checking failed - https://evil.example does not match any trusted origins.'],
    ];
    for (const [options, reason] of cases) {
      expect(await browser.post(h.refresh, '/api/token/refresh/', options)).toMatchObject({ status: 403, body: { detail: `CSRF Failed: ${reason}` }, cookies: [] });
    }
    // The cookie without its CSRF cookie (a request another site forged with only the refresh cookie).
    const forged = await invoke(h.refresh, { path: '/api/token/refresh/', headers: { origin: APP, cookie: `refresh_token=${browser.value('refresh_token')}`, 'x-csrftoken': csrf } });
    expect(forged).toMatchObject({ status: 403, body: { detail: 'CSRF Failed: CSRF cookie not set.' } });
    // None of that used the token up.
    expect((await browser.post(h.refresh, '/api/token/refresh/')).status).toBe(200);
  });

  it('accepts a masked token as Django’s templates render one', async () => {
    const { browser } = await logIn();
    const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    const secret = browser.value('csrftoken')!;
    const mask = 'Q'.repeat(32);
    const masked = mask + [...secret].map((c, i) => chars[(chars.indexOf(c) + chars.indexOf(mask[i]!)) % chars.length]).join('');
    expect((await browser.post(h.refresh, '/api/token/refresh/', { csrf: masked })).status).toBe(200);
  });

  it('without a cookie or a body token: dj-rest-auth’s 401, so the page knows it is logged out', async () => {
    expect(await new Browser().post(h.refresh, '/api/token/refresh/')).toMatchObject({
      status: 401,
      body: { detail: 'No valid refresh token found.', code: 'token_not_valid' },
    });
  });

  it('still takes a refresh token in the body (a native client), without CSRF proof, and answers it in the body only when AUTH_COOKIE_BODY is on', async () => {
    await loadHandlers({ AUTH_COOKIE: 'true', CORS_ALLOWED_ORIGINS: APP, AUTH_COOKIE_BODY: 'true' });
    try {
      const { answer } = await logIn();
      expect(Object.keys(answer.body).sort()).toEqual(['access', 'refresh']);
      const refreshed = await invoke(h.refresh, { path: '/api/token/refresh/', body: { refresh: answer.body.refresh } });
      expect(refreshed.status).toBe(200);
      expect(Object.keys(refreshed.body).sort()).toEqual(['access', 'refresh']);
    } finally {
      await loadHandlers({ AUTH_COOKIE: 'true', CORS_ALLOWED_ORIGINS: APP });
    }
  });

  it('removes the cookie once its session has ended (logout everywhere)', async () => {
    const { browser, answer } = await logIn();
    expect((await invoke(h.logoutAll, { path: '/account/logout-all/', headers: bearer(answer.body.access) })).status).toBe(200);
    const refused = await browser.post(h.refresh, '/api/token/refresh/');
    expect(refused.status).toBe(401);
    browser.keep(refused);
    expect(browser.has('refresh_token')).toBe(false);
  });
});

describe('cookie mode: logout', () => {
  it('logs out with the cookie and removes it; the session is over', async () => {
    const { browser, answer } = await logIn();
    const out = await browser.post(h.logout, '/account/logout/');
    expect(out).toMatchObject({ status: 200, body: { detail: 'Successfully logged out.' } });
    browser.keep(out);
    expect(browser.has('refresh_token')).toBe(false);
    expect((await invoke(h.profile, { method: 'GET', headers: bearer(answer.body.access) })).status).toBe(401);
  });

  it('needs the same CSRF proof (its 403 stays a 403), and keeps the session when refused', async () => {
    const { browser, answer } = await logIn();
    expect(await browser.post(h.logout, '/account/logout/', { csrf: null })).toMatchObject({ status: 403, body: { detail: 'CSRF Failed: CSRF token missing.' } });
    expect((await invoke(h.profile, { method: 'GET', headers: bearer(answer.body.access) })).status).toBe(200);
  });
});

describe('cookie mode settings', () => {
  const base = { API_URL: 'https://api.example.com', AUTH_COOKIE: 'true' };
  it('refuses "*" origins (credentialed CORS cannot answer them) and SameSite=None without Secure', () => {
    expect(() => loadSettings({ ...base, CORS_ALLOWED_ORIGINS: '*' })).toThrow(/must name the origins, not \*, when AUTH_COOKIE is on/);
    expect(() => loadSettings({ ...base, JWT_AUTH_SAMESITE: 'None', JWT_AUTH_SECURE: 'false' })).toThrow(/JWT_AUTH_SAMESITE=None needs JWT_AUTH_SECURE on/);
    expect(() => loadSettings({ ...base, JWT_AUTH_SAMESITE: 'Sometimes' })).toThrow(/JWT_AUTH_SAMESITE must be Lax, Strict or None/);
    expect(() => loadSettings({ ...base, JWT_AUTH_REFRESH_COOKIE: 'refresh token' })).toThrow(/JWT_AUTH_REFRESH_COOKIE must be a cookie name/);
    expect(() => loadSettings({ ...base, CSRF_COOKIE_NAME: 'refresh_token' })).toThrow(/must differ/);
    expect(loadSettings({ ...base, JWT_AUTH_REFRESH_COOKIE: "rt'1`x" }).authCookie?.name).toBe("rt'1`x");
  });
  it('sets Secure except on plain-HTTP localhost', () => {
    expect(loadSettings(base).authCookie?.secure).toBe(true);
    expect(loadSettings({ ...base, API_URL: 'http://localhost:8000' }).authCookie?.secure).toBe(false);
    expect(loadSettings({ ...base, API_URL: 'http://127.0.0.1:8000' }).authCookie?.secure).toBe(false);
    expect(loadSettings({ API_URL: 'https://api.example.com' }).authCookie).toBeUndefined();
  });
});
