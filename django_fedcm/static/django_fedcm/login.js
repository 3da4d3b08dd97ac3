// login_url popup: once signed in, set the login status and close the popup.
// FedCM counts IdentityProvider.close() as success only while the status of
// this origin is "logged-in" (checklist 49, 50;
// https://w3c-fedid.github.io/FedCM/#show-an-idp-login-dialog). The server already
// sent "Set-Login: logged-in"; navigator.login.setStatus() repeats it for
// proxies that strip unknown headers. There is no window.opener to talk to.
(function () {
  "use strict";
  var status = document.getElementById("fedcm-login-status");
  if (!status || status.getAttribute("data-status") !== "logged-in") {
    return;
  }
  function close() {
    if (window.IdentityProvider && typeof window.IdentityProvider.close === "function") {
      window.IdentityProvider.close();
    }
  }
  var ready = Promise.resolve();
  if (navigator.login && typeof navigator.login.setStatus === "function") {
    ready = navigator.login.setStatus("logged-in").catch(function () {});
  }
  ready.then(close, close);
})();
