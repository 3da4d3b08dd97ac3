// IdP registration page (docs/endpoints.md, "idp_registration"). On a click:
// 1. navigator.login.setStatus("logged-in", {accounts}) stores the user's
//    account in the browser: Chromium never fetches a registered IdP's
//    accounts endpoint, it offers the stored accounts (FedCmLightweightMode);
// 2. IdentityProvider.register(configURL) (FedCmIdPRegistration).
// The outcome goes to #fedcm-registration-status: data-state "registered",
// "refused", "unsupported" or "error".
(function () {
  "use strict";
  var button = document.getElementById("fedcm-register");
  var status = document.getElementById("fedcm-registration-status");
  var data = document.getElementById("fedcm-registration-accounts");
  if (!button || !status) {
    return;
  }
  function show(state, text) {
    status.setAttribute("data-state", state);
    status.textContent = text;
  }
  var provider = window.IdentityProvider;
  if (!provider || typeof provider.register !== "function") {
    button.disabled = true;
    show("unsupported", "This browser cannot register account providers.");
    return;
  }
  var accounts = data ? JSON.parse(data.textContent) : [];
  function storeAccounts() {
    if (!navigator.login || typeof navigator.login.setStatus !== "function") {
      return Promise.resolve();
    }
    return navigator.login.setStatus("logged-in", {accounts: accounts}).catch(function () {});
  }
  button.addEventListener("click", function () {
    show("pending", "");
    // register() runs first, inside the click's user activation.
    provider.register(button.getAttribute("data-config-url")).then(
      function (accepted) {
        if (accepted === false) {
          show("refused", "The browser did not register this provider.");
          return;
        }
        return storeAccounts().then(function () {
          show("registered", "Registered. Sites that accept any provider will now offer this one.");
        });
      },
      function (error) {
        show("error", "Registration failed: " + (error && error.name ? error.name : error));
      }
    );
  });
})();
