// Fake-browser harness for django_fedcm/static/django_fedcm/sdk.js (tests/views/test_sdk.py).
const fs = require("fs"), vm = require("vm");
const source = fs.readFileSync(process.argv[2], "utf8");

function browser({fedcm = true, get = null} = {}) {
  const store = new Map(), navigations = [];
  const window = {
    btoa: (s) => Buffer.from(s, "binary").toString("base64"),
    crypto: globalThis.crypto, setTimeout, clearTimeout,
    sessionStorage: {
      getItem: (k) => (store.has(k) ? store.get(k) : null),
      setItem: (k, v) => store.set(k, String(v)), removeItem: (k) => store.delete(k),
    },
    location: {href: "https://rp.test/page", origin: "https://rp.test",
               assign: (url) => navigations.push(url)},
    navigator: {credentials: {get: get || (async () => ({token: "id-token", isAutoSelected: false})),
                              preventSilentAccess: async () => undefined}},
    fetch: async () => ({ok: true, json: async () => ({authorization_endpoint: "https://idp.test/o/authorize/"})}),
  };
  if (fedcm) window.IdentityCredential = function IdentityCredential() {};
  const context = {window, document: {currentScript: {src: "https://idp.test/fedcm/sdk.js?v=1"}},
                   URL, TextEncoder, AbortController, Uint8Array, JSON, Promise, Error, TypeError, Object};
  vm.createContext(context);
  vm.runInContext(source, context);
  return {sdk: window.DjangoFedCM, store, navigations, window};
}

// A browser with a fake clock (Date.now, setTimeout) and the page's events,
// for keepSignedIn(): advance(ms) runs the timers that fall due.
const T0 = 1_700_000_000_000;
const EVENTS = ["fedcm:renewed", "fedcm:renewal-failed", "fedcm:signed-out"];

function jwt(claims) {
  const part = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({alg: "RS256"})}.${part(claims)}.sig`;
}

function clockBrowser({get = null, fetch = null, storage = true, hidden = false} = {}) {
  let t = T0, seq = 0;
  const timers = new Map(), events = [], gets = [], posts = [], local = new Map();
  class FakeDate extends Date { static now() { return t; } }
  const page = new EventTarget();
  for (const name of EVENTS) page.addEventListener(name, (e) => events.push({type: e.type, at: t - T0, ...e.detail}));
  const doc = Object.assign(new EventTarget(), {hidden, currentScript: {src: "https://idp.test/fedcm/sdk.js?v=1"}});
  const window = {
    btoa: (s) => Buffer.from(s, "binary").toString("base64"),
    atob: (s) => Buffer.from(s, "base64").toString("binary"),
    crypto: globalThis.crypto, CustomEvent, document: doc,
    setTimeout: (fn, ms) => { timers.set(++seq, {at: t + Math.max(0, ms), fn}); return seq; },
    clearTimeout: (id) => timers.delete(id),
    dispatchEvent: (e) => page.dispatchEvent(e),
    sessionStorage: {getItem: () => null, setItem: () => undefined, removeItem: () => undefined},
    localStorage: storage ? {
      getItem: (k) => (local.has(k) ? local.get(k) : null),
      setItem: (k, v) => local.set(k, String(v)), removeItem: (k) => local.delete(k),
    } : {getItem: () => { throw new Error("denied"); }, setItem: () => { throw new Error("denied"); },
         removeItem: () => { throw new Error("denied"); }},
    location: {href: "https://rp.test/page", origin: "https://rp.test", assign: () => undefined},
    navigator: {credentials: {
      get: async (request) => { gets.push({at: t - T0, request}); return (get || (async () => null))(request, t); },
      preventSilentAccess: async () => undefined,
    }},
    fetch: async (url, init) => { posts.push({at: t - T0, url, init}); return (fetch || (async () => null))(url, init, t); },
    IdentityCredential: function IdentityCredential() {},
  };
  const context = {window, document: doc, Date: FakeDate, URL, TextEncoder, AbortController,
                   Uint8Array, JSON, Promise, Error, TypeError, Object};
  vm.createContext(context);
  vm.runInContext(source, context);
  const flush = async () => { for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r)); };
  async function advance(ms) {
    const end = t + ms;
    for (;;) {
      await flush();
      const due = [...timers.entries()].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0]);
      if (!due.length) break;
      const [id, timer] = due[0];
      timers.delete(id);
      t = Math.max(t, timer.at);
      timer.fn();
    }
    t = end;
    await flush();
  }
  return {sdk: window.DjangoFedCM, events, gets, posts, local, doc, advance, now: () => t,
          token: (seconds, extra = {}) => jwt({exp: Math.floor(t / 1000) + seconds, ...extra})};
}

const SECOND = 1000, MINUTE = 60 * SECOND;
const silentToken = (seconds) => async (request, t) =>
  ({token: jwt({exp: Math.floor(t / 1000) + seconds}), isAutoSelected: true});
const networkError = async () => { throw Object.assign(new Error("x"), {name: "NetworkError"}); };
const json = (status, body) => ({ok: status >= 200 && status < 300, status, json: async () => body});

async function outcome(promise) {
  try { return {ok: await promise}; } catch (e) { return {error: e.error || e.name, message: e.message}; }
}

const scenarios = {
  async fedcm_token() {
    const {sdk} = browser();
    return outcome(sdk.signIn({clientId: "c", nonce: "n"}));
  },
  async fedcm_params_get_nonce_and_pkce() {
    let seen = null;
    const {sdk} = browser({get: async (req) => { seen = req; return {token: "code-1"}; }});
    const result = await sdk.signIn({clientId: "c", nonce: "n", mode: "active", loginHint: "a@x",
                                     domainHint: "x", params: {response_type: "code", scope: "openid"}});
    return {result, provider: seen.identity.providers[0], mode: seen.identity.mode,
            signal: !!seen.signal};
  },
  async no_fedcm_redirects() {
    const {sdk, store, navigations} = browser({fedcm: false});
    const result = await sdk.signIn({clientId: "c", nonce: "n", redirectUri: "https://rp.test/cb",
                                     loginHint: "a@x", params: {scope: "openid email"}});
    return {result, navigations, saved: JSON.parse(store.get("django_fedcm.redirect"))};
  },
  async no_fedcm_no_fallback() {
    const {sdk, navigations} = browser({fedcm: false});
    return {outcome: await outcome(sdk.signIn({clientId: "c", fallback: false})), navigations};
  },
  async rejection_redirects() {
    const {sdk} = browser({get: async () => { throw Object.assign(new Error("x"), {name: "NetworkError"}); }});
    return (await sdk.signIn({clientId: "c", redirectUri: "https://rp.test/cb"})).reason;
  },
  async rejection_without_fallback_rethrows() {
    const {sdk} = browser({get: async () => { throw Object.assign(new Error("x"), {name: "NetworkError"}); }});
    return outcome(sdk.signIn({clientId: "c", fallback: false}));
  },
  async null_credential_redirects() {
    const {sdk} = browser({get: async () => null});
    return (await sdk.signIn({clientId: "c", redirectUri: "https://rp.test/cb"})).reason;
  },
  async stalled_fedcm_times_out() {
    const {sdk} = browser({get: () => new Promise(() => {})});
    return (await sdk.signIn({clientId: "c", redirectUri: "https://rp.test/cb", timeout: 50})).reason;
  },
  async fallback_needs_redirect_uri() {
    const {sdk} = browser({fedcm: false});
    return outcome(sdk.signIn({clientId: "c"}));
  },
  async client_id_required() {
    const {sdk} = browser();
    return outcome(sdk.signIn({}));
  },
  async callback_ok_once() {
    const b = browser({fedcm: false});
    const started = await b.sdk.signIn({clientId: "c", nonce: "n", redirectUri: "https://rp.test/cb"});
    const state = new URL(started.url).searchParams.get("state");
    const first = b.sdk.handleRedirectCallback(`https://rp.test/cb?code=k&state=${state}&iss=https%3A%2F%2Fidp.test`);
    let second; try { b.sdk.handleRedirectCallback(`https://rp.test/cb?code=k&state=${state}`); } catch (e) { second = e.error; }
    return {first, second};
  },
  async callback_errors() {
    const errors = [];
    for (const query of ["error=access_denied", "iss=https%3A%2F%2Fevil.test&code=k", "", "code=k&state=other"]) {
      const b = browser({fedcm: false});
      const started = await b.sdk.signIn({clientId: "c", redirectUri: "https://rp.test/cb"});
      const state = new URL(started.url).searchParams.get("state");
      const stateParam = query.includes("state=") ? "" : `&state=${state}`;
      try { b.sdk.handleRedirectCallback(`https://rp.test/cb?${query}${stateParam}`); errors.push(null); }
      catch (e) { errors.push(e.error); }
    }
    return errors;
  },
  async configure_checks_names() {
    const {sdk} = browser();
    const settings = sdk.configure({timeout: 5});
    let unknown; try { sdk.configure({nope: 1}); } catch (e) { unknown = e.name; }
    return {timeout: settings.timeout, configURL: settings.configURL, unknown};
  },
  // ---------------------------------------------------------------- keepSignedIn
  async renew_fedcm_before_exp() {
    let n = 0;
    const b = clockBrowser({get: silentToken(300)});
    const session = b.sdk.keepSignedIn({clientId: "c", token: b.token(300), nonce: () => `n-${++n}`,
                                        loginHint: "a@x"});
    const planned = session.status().nextRenewalAt - T0;
    await b.advance(4 * MINUTE - 1);
    const before = b.gets.length;
    await b.advance(1);
    const provider = b.gets[0].request.identity.providers[0];
    return {planned, before, gets: b.gets.length, mediation: b.gets[0].request.mediation,
            provider: {clientId: provider.clientId, params: provider.params, loginHint: provider.loginHint},
            events: b.events.map(({type, at, method, isAutoSelected, expiresAt}) =>
              ({type, at, method, isAutoSelected, expiresIn: expiresAt - T0 - at})),
            tokenIsString: typeof b.events[0].token === "string",
            // the next one waits for the browser's quiet period, not exp - margin
            next: session.status().nextRenewalAt - T0};
  },
  async renew_short_token_at_half_life() {
    const b = clockBrowser({get: silentToken(20)});
    return b.sdk.keepSignedIn({clientId: "c", token: b.token(20)}).status().nextRenewalAt - T0;
  },
  async renew_waits_for_the_quiet_period_after_auto_sign_in() {
    const auto = clockBrowser({get: async () => ({token: "t", isAutoSelected: true})});
    await auto.sdk.signIn({clientId: "c", fallback: false});
    const afterAuto = auto.sdk.keepSignedIn({clientId: "c", token: auto.token(300)}).status().nextRenewalAt - T0;
    const chosen = clockBrowser({get: async () => ({token: "t", isAutoSelected: false})});
    chosen.local.set("django_fedcm.autoReauthnAt", String(T0 - MINUTE));
    await chosen.sdk.signIn({clientId: "c", fallback: false});
    const afterChoice = chosen.sdk.keepSignedIn({clientId: "c", token: chosen.token(300)}).status().nextRenewalAt - T0;
    const noStorage = clockBrowser({get: async () => ({token: "t", isAutoSelected: true}), storage: false});
    await noStorage.sdk.signIn({clientId: "c", fallback: false});
    const inMemory = noStorage.sdk.keepSignedIn({clientId: "c", token: noStorage.token(300)}).status().nextRenewalAt - T0;
    // A page that called get() itself tells the SDK how its token came.
    const own = clockBrowser();
    const toldAuto = own.sdk.keepSignedIn({clientId: "c", token: own.token(300), isAutoSelected: true}).status().nextRenewalAt - T0;
    const toldChosen = own.sdk.keepSignedIn({clientId: "c", token: own.token(300), isAutoSelected: false}).status().nextRenewalAt - T0;
    return {afterAuto, afterChoice, recordCleared: !chosen.local.has("django_fedcm.autoReauthnAt"), inMemory,
            toldAuto, toldChosen};
  },
  async renew_fedcm_failures_retry_then_sign_out() {
    const b = clockBrowser({get: networkError});
    const session = b.sdk.keepSignedIn({clientId: "c", token: b.token(300), retries: 2});
    await b.advance(30 * MINUTE);
    return {gets: b.gets.map((g) => g.at), events: b.events.map(({type, at, error, attempt, retryAt, reason}) =>
      ({type, at, error, attempt, retryAt: retryAt === null ? null : retryAt - T0, reason})),
      running: session.status().running};
  },
  async renew_now_inside_the_quiet_period_retries_after_it() {
    let fail = true;
    const b = clockBrowser({get: async (request, t) => {
      if (fail) throw Object.assign(new Error("x"), {name: "NetworkError"});
      return {token: jwt({exp: Math.floor(t / 1000) + 300}), isAutoSelected: true};
    }});
    b.local.set("django_fedcm.autoReauthnAt", String(T0));  // an automatic sign-in just now
    const session = b.sdk.keepSignedIn({clientId: "c", token: b.token(300)});
    await b.advance(MINUTE);
    await session.renewNow();  // inside the quiet period: the browser refuses
    const failed = b.events[0];
    fail = false;
    await b.advance(10 * MINUTE);
    return {failed: {type: failed.type, at: failed.at, retryAt: failed.retryAt - T0},
            then: b.events.slice(1).map(({type, at}) => ({type, at})), gets: b.gets.map((g) => g.at)};
  },
  async renew_idp_error_is_final() {
    const b = clockBrowser({get: async () => {
      throw Object.assign(new Error("x"), {name: "IdentityCredentialError", error: "access_denied"});
    }});
    b.sdk.keepSignedIn({clientId: "c", token: b.token(300)});
    await b.advance(30 * MINUTE);
    return {gets: b.gets.length, events: b.events.map(({type, error, reason, retryAt}) => ({type, error, reason, retryAt}))};
  },
  async renew_token_without_exp_fails() {
    const b = clockBrowser({get: async () => ({token: "opaque", isAutoSelected: true})});
    b.sdk.keepSignedIn({clientId: "c", token: b.token(20), retries: 0});
    await b.advance(MINUTE);
    return b.events.map(({type, error, reason}) => ({type, error, reason}));
  },
  async renew_refresh_endpoint() {
    const seen = [];
    const b = clockBrowser({fetch: async (url, init, t) => {
      seen.push(init);
      return json(200, {expires_at: Math.floor(t / 1000) + 300, id_token: "x"});
    }});
    b.sdk.keepSignedIn({refreshEndpoint: "/auth/refresh", expiresAt: T0 + 300 * SECOND,
                        headers: async () => ({"X-CSRFToken": "csrf"})});
    await b.advance(4 * MINUTE);
    const init = seen[0];
    return {posts: b.posts.map(({at, url}) => ({at, url})), method: init.method, credentials: init.credentials,
            headers: init.headers, body: init.body, signal: !!init.signal,
            events: b.events.map(({type, at, method, token, expiresAt, response}) =>
              ({type, at, method, token, expiresIn: expiresAt - T0 - at, response}))};
  },
  async renew_refresh_answers() {
    const run = async (answers) => {
      const b = clockBrowser({fetch: async (url, init, t) => {
        const next = answers.shift();
        return typeof next === "function" ? next(t) : next;
      }});
      const session = b.sdk.keepSignedIn({refreshEndpoint: "/r", expiresAt: T0 + 20 * SECOND, retryDelay: 1000, retries: 1});
      await b.advance(MINUTE);
      return {events: b.events.map(({type, error, reason, attempt}) => ({type, error, reason, attempt})),
              status: session.status()};
    };
    return {
      rejected: await run([json(401, {error: "invalid_grant"})]),
      retried: await run([json(503, {error: "temporarily_unavailable"}),
                          (t) => json(200, {id_token: jwt({exp: Math.floor(t / 1000) + 3600})})]),
      unreadable: await run([json(200, {}), {ok: false, status: 502, json: async () => { throw new Error("html"); }}]),
      stalled: await run([new Promise(() => {}), new Promise(() => {})]),
    };
  },
  async renew_sign_out_and_replace_stop_the_session() {
    const b = clockBrowser({get: silentToken(300)});
    const first = b.sdk.keepSignedIn({clientId: "c", token: b.token(300)});
    const second = b.sdk.keepSignedIn({clientId: "c", token: b.token(600)});
    const replaced = first.status().running;
    await b.sdk.signOut();
    await b.advance(60 * MINUTE);
    const late = await second.renewNow();
    return {replaced, gets: b.gets.length, late, events: b.events.map(({type, reason, method}) => ({type, reason, method}))};
  },
  async renew_stopped_in_flight_is_silent() {
    let release;
    const b = clockBrowser({get: () => new Promise((resolve) => { release = resolve; })});
    const session = b.sdk.keepSignedIn({clientId: "c", token: b.token(300)});
    await b.advance(4 * MINUTE);
    const pending = session.renewNow();  // the same request, not a second one
    session.stop();
    release({token: jwt({exp: 9e9}), isAutoSelected: true});
    return {gets: b.gets.length, result: await pending, events: b.events.length};
  },
  async renew_hidden_tab_waits_until_visible() {
    const b = clockBrowser({get: silentToken(300), hidden: true});
    b.sdk.keepSignedIn({clientId: "c", token: b.token(300)});
    await b.advance(10 * MINUTE);
    const whileHidden = b.gets.length;
    b.doc.dispatchEvent(new Event("visibilitychange"));  // still hidden
    await b.advance(SECOND);
    b.doc.hidden = false;
    b.doc.dispatchEvent(new Event("visibilitychange"));
    await b.advance(SECOND);
    return {whileHidden, afterShown: b.gets.map((g) => g.at), events: b.events.map((e) => e.type)};
  },
  async renew_long_wait_rearms_the_timer() {
    const b = clockBrowser({get: silentToken(300)});
    b.sdk.keepSignedIn({clientId: "c", token: b.token(40 * 24 * 3600)});
    await b.advance(30 * 24 * 3600 * SECOND);  // past one timer's longest delay (24.8 days)
    const early = b.gets.length;
    await b.advance(10 * 24 * 3600 * SECOND);
    return {early, gets: b.gets.map((g) => g.at / MINUTE)};
  },
  async renew_checks_its_options() {
    const b = clockBrowser();
    const errors = [];
    for (const options of [{token: b.token(300)}, {clientId: "c"}, {clientId: "c", token: "opaque"},
                           {refreshEndpoint: "/r", expiresAt: "soon"}]) {
      try { b.sdk.keepSignedIn(options); errors.push(null); } catch (e) { errors.push(e.name); }
    }
    try { b.sdk.keepSignedIn(); } catch (e) { errors.push(e.name); }
    return errors;
  },
  async disconnect_without_fedcm() {
    const {sdk} = browser({fedcm: false});
    return outcome(sdk.disconnect({clientId: "c"}));
  },
};

(async () => {
  const results = {};
  for (const [name, run] of Object.entries(scenarios)) results[name] = await run();
  process.stdout.write(JSON.stringify(results));
})().catch((e) => { console.error(e); process.exit(1); });
