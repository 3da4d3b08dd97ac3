/*! django-fedcm relying-party SDK | BSD-3-Clause | docs/rp-integration.md
 *
 * Load it from the identity provider (the IdP origin is taken from this
 * script's own URL):
 *
 *   <script src="https://idp.example/fedcm/sdk.js?v=VERSION"
 *           integrity="sha384-..." crossorigin="anonymous"></script>
 *
 *   const result = await DjangoFedCM.signIn({clientId, nonce, redirectUri});
 *
 * signIn() uses FedCM (navigator.credentials.get) where the browser has it and
 * falls back to the OAuth 2.0 authorization-code redirect (state + PKCE S256)
 * when the browser lacks FedCM, when FedCM rejects, or when it never answers
 * (some browsers expose the API and never settle: options.timeout).
 *
 * keepSignedIn() renews the sign-in before the ID token expires, without a
 * prompt: silent FedCM re-authentication, or the RP backend's refresh
 * endpoint (OAuth refresh token), and reports on fedcm:renewed,
 * fedcm:renewal-failed and fedcm:signed-out events.
 * No dependencies; ES2017.
 */
(function (global) {
  "use strict";

  var VERSION = "1.1";
  var STORAGE_KEY = "django_fedcm.redirect";
  // When this origin last got an automatic re-authentication (ms since epoch).
  var REAUTHN_KEY = "django_fedcm.autoReauthnAt";
  var script = document.currentScript;
  var idpOrigin = script && script.src ? new URL(script.src).origin : global.location.origin;

  var settings = {
    issuer: idpOrigin,
    configURL: idpOrigin + "/fedcm/config.json",
    // Read from /.well-known/openid-configuration on first use unless set.
    authorizationEndpoint: null,
    timeout: 20000,
    scope: "openid profile email",
  };

  function SignInError(error, message) {
    var instance = new Error(message || error);
    instance.name = "SignInError";
    instance.error = error;
    return instance;
  }

  function configure(options) {
    Object.keys(options || {}).forEach(function (key) {
      if (!(key in settings)) throw new TypeError("Unknown DjangoFedCM option: " + key);
      settings[key] = options[key];
    });
    return Object.assign({}, settings);
  }

  function fedcmAvailable() {
    return (
      typeof global.IdentityCredential === "function" &&
      !!global.navigator.credentials &&
      typeof global.navigator.credentials.get === "function"
    );
  }

  // ------------------------------------------------------------------ PKCE

  function base64url(bytes) {
    var text = "";
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return global.btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function randomString(size) {
    return base64url(global.crypto.getRandomValues(new Uint8Array(size)));
  }

  async function pkcePair() {
    // RFC 7636 §4.1-4.2: 32 random bytes → 43-character verifier; S256 challenge.
    var verifier = randomString(32);
    var digest = await global.crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
    return {verifier: verifier, challenge: base64url(new Uint8Array(digest))};
  }

  // ------------------------------------------------------------------ FedCM

  function fedcmRequest(options, params) {
    var provider = {configURL: settings.configURL, clientId: options.clientId, params: params};
    if (options.loginHint) provider.loginHint = options.loginHint;
    if (options.domainHint) provider.domainHint = options.domainHint;
    if (options.fields) provider.fields = options.fields;
    var request = {identity: {providers: [provider]}};
    if (options.mode) request.identity.mode = options.mode;
    if (options.mediation) request.mediation = options.mediation;
    return request;
  }

  function getWithTimeout(request, timeout) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    if (controller) request.signal = controller.signal;
    return new Promise(function (resolve, reject) {
      var timer = global.setTimeout(function () {
        if (controller) controller.abort();
        reject(SignInError("timeout", "FedCM did not answer within " + timeout + " ms."));
      }, timeout);
      global.navigator.credentials.get(request).then(
        function (credential) {
          global.clearTimeout(timer);
          if (credential && credential.token !== undefined) resolve(credential);
          else reject(SignInError("no_credential", "FedCM returned no credential."));
        },
        function (error) {
          global.clearTimeout(timer);
          reject(error);
        }
      );
    });
  }

  // ------------------------------------------------------------------ redirect

  async function authorizationEndpoint() {
    if (settings.authorizationEndpoint) return settings.authorizationEndpoint;
    var response = await global.fetch(settings.issuer + "/.well-known/openid-configuration", {
      credentials: "omit",
    });
    if (!response.ok) throw SignInError("discovery_failed", "OpenID discovery failed.");
    var metadata = await response.json();
    settings.authorizationEndpoint = metadata.authorization_endpoint;
    return settings.authorizationEndpoint;
  }

  async function redirect(options, params, reason) {
    if (!options.redirectUri) {
      throw SignInError("redirect_uri_required", "The redirect fallback needs options.redirectUri.");
    }
    var pkce = await pkcePair();
    var state = randomString(16);
    var url = new URL(await authorizationEndpoint());
    var query = {
      response_type: "code",
      client_id: options.clientId,
      redirect_uri: options.redirectUri,
      scope: params.scope || settings.scope,
      state: state,
      code_challenge: pkce.challenge,
      code_challenge_method: "S256",
    };
    if (params.nonce) query.nonce = params.nonce;
    if (options.loginHint) query.login_hint = options.loginHint;
    Object.keys(query).forEach(function (key) {
      url.searchParams.set(key, query[key]);
    });
    // The verifier never leaves this browser tab's storage before the callback.
    global.sessionStorage.setItem(
      STORAGE_KEY,
      JSON.stringify({
        state: state,
        codeVerifier: pkce.verifier,
        nonce: params.nonce || null,
        clientId: options.clientId,
        redirectUri: options.redirectUri,
      })
    );
    var target = url.toString();
    (options.navigate || function (href) { global.location.assign(href); })(target);
    return {flow: "redirect", url: target, reason: reason};
  }

  // ------------------------------------------------------------------ renewal

  // Chromium allows one automatic re-authentication per RP origin every ten
  // minutes ("Only one auto re-authn request can be made every 10 minutes";
  // https://source.chromium.org/chromium/chromium/src/+/main:components/permissions/permission_decision_auto_blocker.cc
  // kFederatedIdentityAutoReauthnEmbargoDuration); an explicit account choice
  // lifts it. A silent request inside that period fails without a prompt.
  var QUIET_PERIOD = 600000;
  var MAX_TIMER = 2147483647; // setTimeout's longest delay (ms)
  var reauthnAt = 0; // the same record when storage is unavailable
  var current = null; // the page's one renewal session

  function now() {
    return Date.now();
  }

  function recordReauthn(automatic) {
    reauthnAt = automatic ? now() : 0;
    try {
      if (automatic) global.localStorage.setItem(REAUTHN_KEY, String(reauthnAt));
      else global.localStorage.removeItem(REAUTHN_KEY);
    } catch (error) {
      // Storage disabled: the in-memory record covers this page.
    }
  }

  function lastReauthn() {
    var stored = 0;
    try {
      stored = Number(global.localStorage.getItem(REAUTHN_KEY)) || 0;
    } catch (error) {
      stored = 0;
    }
    return Math.max(stored, reauthnAt);
  }

  /** The token's exp in ms since the epoch, or null. Read to schedule, never trusted. */
  function expiresAtOf(token) {
    try {
      var part = String(token).split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      var exp = JSON.parse(global.atob(part + "===".slice((part.length + 3) % 4))).exp;
      return typeof exp === "number" && isFinite(exp) ? exp * 1000 : null;
    } catch (error) {
      return null;
    }
  }

  function errorCode(error) {
    return String((error && (error.error || error.name)) || "error");
  }

  function withTimeout(start, timeout) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    return new Promise(function (resolve, reject) {
      var timer = global.setTimeout(function () {
        if (controller) controller.abort();
        reject(SignInError("timeout", "No answer within " + timeout + " ms."));
      }, timeout);
      start(controller && controller.signal).then(
        function (value) {
          global.clearTimeout(timer);
          resolve(value);
        },
        function (error) {
          global.clearTimeout(timer);
          reject(error);
        }
      );
    });
  }

  function RenewalSession(options) {
    var self = this;
    var method = options.refreshEndpoint ? "refresh" : "fedcm";
    var config = {
      margin: 60000,
      retries: 2,
      retryDelay: 30000,
      quietPeriod: QUIET_PERIOD,
      timeout: settings.timeout,
    };
    Object.keys(config).forEach(function (key) {
      if (options[key] !== undefined) config[key] = Number(options[key]);
    });
    var target = options.target || global;
    var state = {method: method, expiresAt: null, nextRenewalAt: null, attempt: 0, running: true};
    var timer = null;
    var inFlight = null;

    state.expiresAt = options.token
      ? expiresAtOf(options.token)
      : Number(options.expiresAt) || null;
    if (!state.expiresAt) {
      throw new TypeError("DjangoFedCM.keepSignedIn needs the current ID token (or expiresAt).");
    }

    function emit(name, detail) {
      var event = new global.CustomEvent(name, {detail: Object.assign({method: method}, detail)});
      target.dispatchEvent(event);
    }

    function quietEnd() {
      var last = method === "fedcm" ? lastReauthn() : 0;
      return last ? last + config.quietPeriod + 1000 : 0;
    }

    function schedule(at) {
      global.clearTimeout(timer);
      state.nextRenewalAt = at;
      timer = global.setTimeout(function () {
        if (now() < at) schedule(at); // a wait longer than one timer allows
        else due();
      }, Math.max(0, Math.min(at - now(), MAX_TIMER)));
    }

    function planNext() {
      // exp - margin, but never before half the token's remaining life (a
      // short-lived token must not renew in a loop), and for FedCM never
      // inside the browser's quiet period.
      var at = Math.max(state.expiresAt - config.margin, now() + (state.expiresAt - now()) / 2);
      schedule(Math.max(at, quietEnd()));
    }

    function due() {
      var doc = global.document;
      if (method === "fedcm" && doc && doc.hidden) {
        // A background tab waits to be seen: its silent request would use up
        // the quiet period for a page nobody is looking at.
        doc.addEventListener("visibilitychange", function shown() {
          if (doc.hidden) return;
          doc.removeEventListener("visibilitychange", shown);
          if (state.running) renew();
        });
        return;
      }
      renew();
    }

    async function viaFedCM() {
      var nonce = typeof options.nonce === "function" ? await options.nonce() : options.nonce;
      var request = fedcmRequest(
        {
          clientId: options.clientId,
          loginHint: options.loginHint,
          domainHint: options.domainHint,
          fields: options.fields,
          mediation: "silent",
        },
        nonce ? {nonce: nonce} : {}
      );
      var credential = await getWithTimeout(request, config.timeout);
      recordReauthn(credential.isAutoSelected !== false); // silent means automatic
      var expiresAt = expiresAtOf(credential.token);
      if (!expiresAt) throw SignInError("invalid_token", "The renewed token has no readable exp.");
      return {
        expiresAt: expiresAt,
        detail: {token: credential.token, expiresAt: expiresAt, isAutoSelected: true},
      };
    }

    async function viaRefresh() {
      var extra = typeof options.headers === "function" ? await options.headers() : options.headers;
      var headers = Object.assign(
        {"Content-Type": "application/json", Accept: "application/json"},
        extra || {}
      );
      var response = await withTimeout(function (signal) {
        return global.fetch(options.refreshEndpoint, {
          method: "POST",
          credentials: "same-origin",
          headers: headers,
          body: "{}",
          signal: signal,
        });
      }, config.timeout);
      var body = null;
      try {
        body = await response.json();
      } catch (error) {
        body = null;
      }
      var code = body && typeof body.error === "string" ? body.error : null;
      if (response.status === 401) {
        var rejected = SignInError(code || "login_required", "The RP backend refused the refresh.");
        rejected.rejected = true;
        throw rejected;
      }
      if (!response.ok) {
        var status = response.status;
        throw SignInError(code || "http_" + status, "The refresh failed (HTTP " + status + ").");
      }
      var expiresAt = body && typeof body.expires_at === "number" ? body.expires_at * 1000 : null;
      var token = body && typeof body.id_token === "string" ? body.id_token : null;
      expiresAt = expiresAt || expiresAtOf(token);
      if (!expiresAt) throw SignInError("invalid_response", "The answer has no expires_at.");
      return {expiresAt: expiresAt, detail: {token: token, expiresAt: expiresAt, response: body}};
    }

    function renew() {
      if (!state.running) return Promise.resolve(null);
      if (inFlight) return inFlight;
      global.clearTimeout(timer);
      state.nextRenewalAt = null;
      state.attempt += 1;
      inFlight = (method === "fedcm" ? viaFedCM() : viaRefresh()).then(
        function (outcome) {
          inFlight = null;
          if (!state.running) return null;
          state.attempt = 0;
          state.expiresAt = outcome.expiresAt;
          planNext();
          emit("fedcm:renewed", outcome.detail);
          return outcome.detail;
        },
        function (error) {
          inFlight = null;
          if (state.running) failed(error);
          return null;
        }
      );
      return inFlight;
    }

    function failed(error) {
      var code = errorCode(error);
      // Refused, not failed: the IdP answered the silent request with an
      // error (IdentityCredentialError; Chromium showed it to the user), or the
      // RP backend answered 401. Asking again would get the same answer.
      var rejected = !!error && (error.rejected || error.name === "IdentityCredentialError");
      var retryAt = null;
      if (!rejected && state.attempt <= config.retries) {
        retryAt = Math.max(now() + config.retryDelay * Math.pow(2, state.attempt - 1), quietEnd());
      }
      emit("fedcm:renewal-failed", {
        error: code,
        message: String((error && error.message) || ""),
        attempt: state.attempt,
        retryAt: retryAt,
      });
      if (retryAt !== null) schedule(retryAt);
      else self.end(rejected ? "rejected" : "renewal_failed", code);
    }

    this.stop = function () {
      state.running = false;
      state.nextRenewalAt = null;
      global.clearTimeout(timer);
      if (current === self) current = null;
    };
    this.end = function (reason, code) {
      if (!state.running) return;
      self.stop();
      emit("fedcm:signed-out", {reason: reason, error: code});
    };
    this.renewNow = renew;
    this.status = function () {
      return Object.assign({}, state);
    };
    planNext();
  }

  /**
   * Keep the RP signed in past the ID token's expiry without a prompt.
   * options: token (the ID token just received) or expiresAt (ms since the
   * epoch); then either clientId (+ nonce: a function returning a fresh nonce
   * for each renewal, loginHint, domainHint, fields) for silent FedCM
   * re-authentication, or refreshEndpoint (+ headers) for the RP backend's
   * refresh-token exchange. isAutoSelected: how the token came, when the page
   * called navigator.credentials.get() itself. Tuning (ms): margin,
   * retryDelay, quietPeriod, timeout; retries. target: the EventTarget for the
   * events (window).
   * Returns {stop(), renewNow(), status()}; a new call replaces the old session.
   */
  function keepSignedIn(options) {
    options = options || {};
    if (!options.refreshEndpoint && !options.clientId) {
      throw new TypeError("DjangoFedCM.keepSignedIn needs a clientId or a refreshEndpoint.");
    }
    // A page that called navigator.credentials.get() itself says how its
    // token came (signIn() records it already).
    if (typeof options.isAutoSelected === "boolean") recordReauthn(options.isAutoSelected);
    var session = new RenewalSession(options);
    if (current) current.stop();
    current = session;
    return Object.freeze({
      stop: session.stop,
      renewNow: session.renewNow,
      status: session.status,
    });
  }

  // ------------------------------------------------------------------ public API

  /**
   * Sign the user in. Resolves to
   *   {flow: "fedcm", token, codeVerifier?, isAutoSelected, configURL}   (FedCM)
   *   {flow: "redirect", url, reason}                                    (navigating away)
   * options: clientId (required), nonce, mode ("active"|"passive"), loginHint,
   * domainHint, fields, mediation, params (FedCM params; {response_type:"code",
   * scope} asks for an authorization code, PKCE added here), redirectUri (for
   * the fallback), fallback (false: never redirect), timeout (ms), navigate.
   */
  async function signIn(options) {
    options = options || {};
    if (!options.clientId) throw new TypeError("DjangoFedCM.signIn needs a clientId.");
    var params = Object.assign({}, options.params || {});
    if (options.nonce && params.nonce === undefined) params.nonce = options.nonce;
    var fallback = options.fallback !== false;
    if (!fedcmAvailable()) {
      if (!fallback) throw SignInError("fedcm_unavailable", "This browser has no FedCM.");
      return redirect(options, params, "fedcm_unavailable");
    }
    var codeVerifier = null;
    if (params.response_type === "code" && !params.code_challenge) {
      var pkce = await pkcePair();
      codeVerifier = pkce.verifier;
      params.code_challenge = pkce.challenge;
      params.code_challenge_method = "S256";
    }
    try {
      var credential = await getWithTimeout(
        fedcmRequest(options, params),
        options.timeout || settings.timeout
      );
    } catch (error) {
      if (!fallback) throw error;
      return redirect(options, params, error && error.error === "timeout" ? "timeout" : "fedcm_failed");
    }
    recordReauthn(!!credential.isAutoSelected);
    var result = {
      flow: "fedcm",
      token: credential.token,
      isAutoSelected: !!credential.isAutoSelected,
      configURL: credential.configURL || settings.configURL,
    };
    if (codeVerifier) result.codeVerifier = codeVerifier;
    return result;
  }

  /**
   * On the redirectUri page: check state, return {flow: "redirect", code,
   * codeVerifier, redirectUri, nonce, clientId} for the RP backend's token
   * request. Throws SignInError (error = the OAuth error, or "state_mismatch").
   */
  function handleRedirectCallback(href) {
    var url = new URL(href || global.location.href);
    var saved = JSON.parse(global.sessionStorage.getItem(STORAGE_KEY) || "null");
    global.sessionStorage.removeItem(STORAGE_KEY); // single use
    var state = url.searchParams.get("state");
    if (!saved || !state || saved.state !== state) {
      throw SignInError("state_mismatch", "The sign-in response does not belong to this tab.");
    }
    var issuer = url.searchParams.get("iss"); // RFC 9207, when the IdP sends it
    if (issuer && issuer !== settings.issuer) throw SignInError("issuer_mismatch");
    if (url.searchParams.get("error")) {
      throw SignInError(url.searchParams.get("error"), url.searchParams.get("error_description"));
    }
    var code = url.searchParams.get("code");
    if (!code) throw SignInError("invalid_response", "The sign-in response has no code.");
    return {
      flow: "redirect",
      code: code,
      codeVerifier: saved.codeVerifier,
      redirectUri: saved.redirectUri,
      nonce: saved.nonce,
      clientId: saved.clientId,
    };
  }

  /** RP sign-out: no automatic re-authentication until the user picks an account again. */
  async function signOut() {
    global.sessionStorage.removeItem(STORAGE_KEY);
    if (current) current.end("sign_out", null);
    var credentials = global.navigator.credentials;
    if (credentials && typeof credentials.preventSilentAccess === "function") {
      await credentials.preventSilentAccess();
    }
  }

  /** Revoke this client's approval at the IdP (FedCM disconnect). */
  async function disconnect(options) {
    options = options || {};
    if (typeof global.IdentityCredential !== "function" || !global.IdentityCredential.disconnect) {
      throw SignInError("fedcm_unavailable", "This browser cannot disconnect through FedCM.");
    }
    await global.IdentityCredential.disconnect({
      configURL: settings.configURL,
      clientId: options.clientId,
      accountHint: options.accountHint || "",
    });
  }

  global.DjangoFedCM = Object.freeze({
    version: VERSION,
    configure: configure,
    fedcmAvailable: fedcmAvailable,
    signIn: signIn,
    handleRedirectCallback: handleRedirectCallback,
    keepSignedIn: keepSignedIn,
    signOut: signOut,
    disconnect: disconnect,
  });
})(window);
