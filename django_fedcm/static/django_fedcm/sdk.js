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
 * No dependencies; ES2017.
 */
(function (global) {
  "use strict";

  var VERSION = "1";
  var STORAGE_KEY = "django_fedcm.redirect";
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
    signOut: signOut,
    disconnect: disconnect,
  });
})(window);
