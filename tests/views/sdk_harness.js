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
