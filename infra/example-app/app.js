// The example web app's one module: plain browser JavaScript, no framework, no build step.
//
// What it shows: log in (POST /api/token/), call the API with the access token as a bearer, refresh it
// transparently (POST /api/token/refresh/), list and end sessions, log out (POST /account/logout/).
//
// Two modes, chosen by what the login answers (see `call` below, the one function every request goes through):
// - bearer mode: the login's body has a `refresh` token. The access token stays in memory; the refresh token
//   goes to sessionStorage. Trade-off: it survives a reload and is per tab, but any script on the page can
//   read it, so an XSS flaw can steal it (and with it the session, until it ends). Cookie mode avoids that.
// - cookie mode: the login's body has no `refresh`: the API set it in an HttpOnly cookie this page cannot
//   read. Refresh and logout send that cookie (credentials: 'include') with Django's CSRF double submit: the
//   script-readable `csrftoken` cookie's value in an `X-CSRFToken` header. Only the access token is kept, in
//   memory; after a reload the page asks for a new one.

// ---- Settings -----------------------------------------------------------------------------------------------

/** The API's base URL: '' is this page's own origin (npm start serves both). Add another origin to the CSP too. */
const API = '';
/** Where bearer mode keeps the refresh token, and which mode this tab is in (not a secret). */
const REFRESH_KEY = 'example-app.refresh';
const MODE_KEY = 'example-app.mode';
const CSRF_KEY = 'example-app.csrf';
/** Django's CSRF cookie and header names (CSRF_COOKIE_NAME, CSRF_HEADER_NAME). */
const CSRF_COOKIE = 'csrftoken';
const CSRF_HEADER = 'X-CSRFToken';
/** How long a new tab waits for an open tab to hand over its login before it shows the login form. */
const ASK_TABS_MS = 300;

// ---- State ----------------------------------------------------------------------------------------------------

const state = {
  /** 'bearer' | 'cookie' while logged in, null when logged out. */
  mode: null,
  /** { token, exp, sid, lifetime }: in memory only, never stored, so it is gone when the tab closes. */
  access: null,
  /** Refreshes made by this tab (shown on the page: what a user or a test can see happen). */
  refreshes: 0,
};

/** The refresh in flight, if any: one at a time per tab, however many requests find the token expired. */
let refreshing = null;

const storedRefresh = () => sessionStorage.getItem(REFRESH_KEY);

class SessionEnded extends Error {}

// ---- Tabs share one login -------------------------------------------------------------------------------------
//
// sessionStorage is per tab, so by itself every new tab would need its own login, and logging out in one tab
// would leave the others logged in: not what users expect of a website, and on a shared computer a tab left
// logged in is a risk. So the tabs of this origin share one session over a BroadcastChannel (same origin
// only, like sessionStorage itself, so it exposes the token to nothing that could not already read it):
// - a new tab asks "who is logged in?" and adopts the answer (no second login, one session in the list);
// - a tab that logs in or refreshes tells the others, which adopt the new tokens;
// - logging out (or finding the session ended) tells the others, which log out at once. A tab that missed
//   the message finds out at its next refresh anyway: the server refuses the ended session's token.
// Two tabs may still refresh with the same refresh token at the same moment (both find the access token
// expired). The API answers both with the same successor while the used token is within REFRESH_REUSE_GRACE
// (30 s by default), so both stay logged in and the session never forks. With REFRESH_REUSE_GRACE=0 the
// second would count as a replay and end the session: serialise refreshes across tabs then (navigator.locks).

const channel = 'BroadcastChannel' in self ? new BroadcastChannel('example-app-auth') : null;
const tell = (message) => channel?.postMessage(message);

channel?.addEventListener('message', ({ data }) => {
  if (data?.type === 'who-is-logged-in' && state.mode) tell(sessionMessage());
  else if (data?.type === 'session') {
    const wasLoggedIn = Boolean(state.mode);
    const sessionBefore = state.access?.sid;
    adopt(data);
    if (!wasLoggedIn) showAccount('Logged in (shared with another tab).');
    else if (sessionBefore && state.access?.sid !== sessionBefore) showAccount('You logged in again in another tab.');
    else showToken();
  } else if (data?.type === 'logout' && state.mode) {
    forget();
    showLogin(data.reason || 'You logged out in another tab.');
  }
});

function sessionMessage() {
  return { type: 'session', mode: state.mode, access: state.access?.token ?? null, refresh: state.mode === 'bearer' ? storedRefresh() : null };
}

// ---- Tokens ---------------------------------------------------------------------------------------------------

/** A JWT's claims, read without checking the signature: only to know when it expires. The API checks it. */
function claimsOf(jwt) {
  const base64 = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/**
 * Take a login's or a refresh's answer (or another tab's message): the access token into memory, a rotated
 * refresh token into sessionStorage (bearer mode). Refresh answers a new refresh token (rotation); the used
 * one is blacklisted, so the stored one must be replaced every time.
 */
function adopt({ mode, access, refresh }) {
  const claims = access ? claimsOf(access) : null;
  // A message from another tab may arrive after a newer refresh of the same session: keep the newer tokens
  // (an older refresh token presented after REFRESH_REUSE_GRACE would look like a replay). A new login wins.
  if (claims && state.access && claims.sid === state.access.sid && claims.exp < state.access.exp) return;
  state.mode = mode;
  sessionStorage.setItem(MODE_KEY, mode);
  if (mode === 'bearer' && refresh && (claims || !storedRefresh())) sessionStorage.setItem(REFRESH_KEY, refresh);
  if (claims) state.access = { token: access, exp: claims.exp, sid: claims.sid, lifetime: claims.exp - claims.iat };
}

/** Forget everything this tab holds (the server side is ended by logout or was already). */
function forget() {
  state.mode = null;
  state.access = null;
  sessionStorage.removeItem(REFRESH_KEY);
  sessionStorage.removeItem(MODE_KEY);
  sessionStorage.removeItem(CSRF_KEY);
}

/**
 * Refresh before the access token expires rather than after: a token that expires on the way costs a 401 and a
 * retry. The margin is a tenth of the token's lifetime, at most 10 s. This uses this computer's clock; when it
 * is behind the server's, the API answers 401 token_not_valid and `authed` refreshes then.
 */
function expiresSoon(access) {
  return Date.now() / 1000 >= access.exp - Math.min(10, access.lifetime / 10);
}

function refreshOnce() {
  refreshing ??= refreshTokens().finally(() => (refreshing = null));
  return refreshing;
}

async function refreshTokens() {
  const answer = await call('/api/token/refresh/', { method: 'POST', body: {}, withRefreshToken: true });
  // 401: the refresh token is expired, blacklisted, or its session ended (in cookie mode also: no cookie was
  // sent); 400: no token at all. Either way this login is over. Anything else is not: a 403 "CSRF Failed",
  // a 503, a network error.
  if (answer.status === 401 || answer.status === 400) throw new SessionEnded(answer.data?.detail || 'Your session has ended.');
  if (!answer.ok) throw new Error(describe(answer));
  if (!state.mode) throw new SessionEnded('You logged out.'); // logged out while the refresh was under way
  adopt({ mode: state.mode, access: answer.data.access, refresh: answer.data.refresh });
  state.refreshes += 1;
  tell(sessionMessage());
}

// ---- Talking to the API -------------------------------------------------------------------------------------

function readCookie(name) {
  for (const pair of document.cookie.split(';')) {
    const [key, ...value] = pair.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return null;
}

/**
 * The CSRF token: the csrftoken cookie's value when this page can read it (the API on this site); else the
 * copy the API hands over in its X-CSRFToken response header at login and refresh (an API on another site,
 * whose cookies this page cannot read). It is not a secret from this page's scripts, only from other sites.
 */
const csrfToken = () => readCookie(CSRF_COOKIE) ?? sessionStorage.getItem(CSRF_KEY);

/**
 * Every request to the API goes through here: the mode is this one switch.
 * `withRefreshToken` marks the two requests that present the refresh token (refresh and logout): in bearer
 * mode it goes in the JSON body, as simplejwt expects; in cookie mode the browser sends the HttpOnly cookie
 * (credentials: 'include'), and the CSRF header proves the request comes from a page of this site, since a
 * page of another site cannot read the csrftoken cookie. The login also goes with credentials, so that a
 * cookie-mode answer may set its cookies (on the same origin this changes nothing; an API on another origin
 * must then allow credentials for this origin, as the API's cookie mode does).
 * Answers { status, ok, data }; a network failure throws.
 */
async function call(path, { method = 'GET', body, access, withRefreshToken = false, login = false } = {}) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers };
  let payload = body;
  if (withRefreshToken && state.mode === 'bearer') payload = { ...body, refresh: storedRefresh() };
  if ((withRefreshToken && state.mode === 'cookie') || login) {
    init.credentials = 'include';
    const csrf = csrfToken();
    if (csrf) headers[CSRF_HEADER] = csrf;
  }
  if (payload !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(payload);
  }
  if (access) headers.Authorization = `Bearer ${access}`;
  const response = await fetch(`${API}${path}`, init);
  const handedCsrf = response.headers.get(CSRF_HEADER);
  if (handedCsrf) sessionStorage.setItem(CSRF_KEY, handedCsrf);
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { detail: text };
  }
  return { status: response.status, ok: response.ok, data };
}

/**
 * A request as the logged-in user: with a fresh access token, and once more after a refresh if the API still
 * finds the token not valid (expired by the server's clock, though not by ours). Throws SessionEnded when no
 * refresh can help.
 */
async function authed(path, options = {}) {
  if (!state.mode) throw new SessionEnded('You are not logged in.');
  if (!state.access || expiresSoon(state.access)) await refreshOnce();
  const sent = state.access.token;
  let answer = await call(path, { ...options, access: sent });
  if (answer.status === 401 && answer.data?.code === 'token_not_valid') {
    // Unless another request of this tab renewed it meanwhile, refresh now; a session that has ended fails here.
    if (state.access?.token === sent) await refreshOnce();
    answer = await call(path, { ...options, access: state.access.token });
  }
  if (answer.status === 401) throw new SessionEnded(answer.data?.detail || 'Your session has ended.');
  return answer;
}

const describe = (answer) => answer.data?.detail || answer.data?.message || `The server answered ${answer.status}.`;

// ---- The page -------------------------------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);

function status(text, { error = false } = {}) {
  $('status').textContent = text;
  $('status').classList.toggle('error', error);
}

function showMode() {
  $('mode').textContent =
    state.mode === 'bearer' ? 'Bearer mode: access token in memory, refresh token in this tab’s sessionStorage'
    : state.mode === 'cookie' ? 'Cookie mode: access token in memory, refresh token in an HttpOnly cookie'
    : 'Not logged in';
}

function showToken() {
  if (!state.access) return;
  $('token-expiry').textContent = new Date(state.access.exp * 1000).toLocaleTimeString();
  $('token-expiry').dateTime = new Date(state.access.exp * 1000).toISOString();
  $('token-expiry').dataset.exp = String(state.access.exp);
  $('refresh-count').textContent = String(state.refreshes);
}

function showLogin(message, { error = false } = {}) {
  showMode();
  $('account-section').hidden = true;
  $('login-section').hidden = false;
  $('sessions').replaceChildren();
  status(message, { error });
}

async function showAccount(message) {
  showMode();
  $('login-section').hidden = true;
  $('account-section').hidden = false;
  await loadEverything(message);
}

/** The profile and the session list, in parallel: after an expiry both need a fresh token, and get one refresh. */
async function loadEverything(message) {
  status('Loading…');
  await run(async () => {
    const [profile, sessions] = await Promise.all([authed('/account/profile/'), authed('/account/sessions/')]);
    if (!profile.ok) throw new Error(describe(profile));
    $('profile-username').textContent = profile.data.username;
    $('profile-email').textContent = profile.data.email || '(none)';
    $('profile-id').textContent = profile.data.id;
    if (sessions.ok) renderSessions(sessions.data);
    showToken();
    status(message || `Logged in as ${profile.data.username}.`);
  });
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');

function renderSessions(sessions) {
  const rows = sessions.map((session) => {
    const row = document.createElement('tr');
    row.dataset.sessionId = session.id;
    // textContent, never innerHTML: `client` is the user agent a login sent, which anyone can make markup.
    const cells = [session.client || '(unknown client)', when(session.logged_in_at), when(session.last_refreshed_at), when(session.expires_at)].map((text) => {
      const cell = document.createElement('td');
      cell.textContent = text;
      return cell;
    });
    cells[0].className = 'client';
    if (session.current) {
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.textContent = 'this browser';
      cells[0].append(' ', badge);
    }
    const end = document.createElement('button');
    end.type = 'button';
    end.className = 'end-session';
    end.textContent = session.current ? 'End (log out here)' : 'End';
    end.addEventListener('click', () => endSession(session));
    const action = document.createElement('td');
    action.append(end);
    row.append(...cells, action);
    return row;
  });
  $('sessions').replaceChildren(...rows);
}

async function endSession(session) {
  await run(async () => {
    const answer = await authed(`/account/sessions/${encodeURIComponent(session.id)}/`, { method: 'DELETE' });
    if (answer.status !== 204 && answer.status !== 404) throw new Error(describe(answer));
    if (session.current) {
      forget();
      tell({ type: 'logout', reason: 'This browser’s session was ended in another tab.' });
      showLogin('You ended this browser’s session.');
      return;
    }
    const sessions = await authed('/account/sessions/');
    if (sessions.ok) renderSessions(sessions.data);
    status(answer.status === 204 ? 'Session ended: that device is logged out at its next refresh.' : 'That session had already ended.');
  });
}

/** Steps finished so far (see `run`). */
let settled = 0;

/** Runs a step of the page; an ended session shows the login form, anything else an error line. */
async function run(step) {
  try {
    return await step();
  } catch (error) {
    if (error instanceof SessionEnded) {
      const wasLoggedIn = Boolean(state.mode);
      forget();
      if (wasLoggedIn) tell({ type: 'logout', reason: `Your session has ended (${error.message}). Please log in again.` });
      showLogin(`Your session has ended (${error.message}). Please log in again.`, { error: true });
    } else {
      status(error instanceof TypeError ? 'Could not reach the server. Try again.' : error.message, { error: true });
    }
  } finally {
    // Counts finished steps on <body data-settled>: the tests wait on it; your own UI could stop a spinner here.
    document.body.dataset.settled = String(++settled);
  }
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const username = $('username').value;
  const password = $('password').value;
  status('Logging in…');
  const loggedIn = await run(async () => {
    const answer = await call('/api/token/', { method: 'POST', body: { username, password }, login: true });
    if (!answer.ok) {
      // 401 "No active account found with the given credentials", 400 per-field lists, 429 throttled.
      const fields = answer.data && !answer.data.detail ? Object.values(answer.data).flat().join(' ') : '';
      status(fields || describe(answer), { error: true });
      return false;
    }
    $('password').value = '';
    // No refresh token in the body: the API keeps it in an HttpOnly cookie (cookie mode).
    const mode = typeof answer.data.refresh === 'string' ? 'bearer' : 'cookie';
    state.refreshes = 0;
    state.access = null;
    adopt({ mode, access: answer.data.access, refresh: answer.data.refresh });
    tell(sessionMessage());
    return true;
  });
  if (loggedIn) await showAccount();
});

$('reload').addEventListener('click', () => loadEverything());

$('logout').addEventListener('click', async () => {
  await run(async () => {
    const answer = await call('/account/logout/', { method: 'POST', body: {}, withRefreshToken: true });
    // 200 ended the session; 400 "Invalid token." means it had ended already. Either way, this login is over.
    if (answer.status !== 200 && answer.status !== 400) throw new Error(describe(answer));
    forget();
    tell({ type: 'logout', reason: 'You logged out in another tab.' });
    showLogin('Logged out.');
  });
});

/**
 * On load: this tab's own login (a reload), else another open tab's, else, in cookie mode, the cookie's
 * (a new tab after the others were closed), else the login form.
 */
async function start() {
  const mode = sessionStorage.getItem(MODE_KEY);
  if ((mode === 'bearer' && storedRefresh()) || mode === 'cookie') {
    state.mode = mode;
    return showAccount();
  }
  tell({ type: 'who-is-logged-in' });
  await new Promise((resolve) => setTimeout(resolve, ASK_TABS_MS));
  if (state.mode) return; // another tab answered; the channel listener showed the account
  if (csrfToken()) {
    // Perhaps a cookie-mode login whose tabs were all closed: the refresh cookie (which we cannot see) may live on.
    state.mode = 'cookie';
    try {
      await refreshOnce();
      return showAccount();
    } catch {
      forget();
    }
  }
  showLogin('Please log in.');
}

start();
