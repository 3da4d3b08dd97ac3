// getUserInfo() iframe: personalise the button for a returning user.
// IdentityProvider.getUserInfo() resolves only inside a cross-origin iframe
// embedded by the client, and only for accounts whose approved_clients list
// the client (checklist 66;
// https://w3c-fedid.github.io/FedCM/#dom-identityprovider-getuserinfo); anything
// else rejects and the generic button stays. Text goes in with textContent:
// user data is never HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("fedcm-user-info-data").textContent);
  var button = document.getElementById("fedcm-user-info-button");

  function personalise(account) {
    var text = button.getAttribute("data-continue-label");
    var name = account.givenName || account.name || account.email;
    var label = document.getElementById("fedcm-user-info-label");
    // "Continue as {name}", translated (word order differs between languages);
    // a template overridden with a bare "Continue as" prefix still works.
    label.textContent =
      text.indexOf("{name}") >= 0
        ? text.replace("{name}", function () { return name; })
        : text + " " + name;
    if (account.email) {
      var email = document.getElementById("fedcm-user-info-email");
      email.textContent = account.email;
      email.hidden = false;
    }
    if (account.picture) {
      var picture = document.getElementById("fedcm-user-info-picture");
      picture.src = account.picture;
      picture.hidden = false;
    }
  }

  if (window.IdentityProvider && typeof window.IdentityProvider.getUserInfo === "function") {
    window.IdentityProvider.getUserInfo({ configURL: data.configURL, clientId: data.clientId })
      .then(function (accounts) {
        if (accounts && accounts.length) {
          personalise(accounts[0]);
        }
      })
      .catch(function () {});
  }

  // The RP starts navigator.credentials.get() itself. The message carries no
  // personal data and is addressed to each registered origin in turn: the
  // browser delivers it only where the target origin matches the parent.
  button.addEventListener("click", function () {
    if (window.parent === window) {
      return;
    }
    data.origins.forEach(function (origin) {
      window.parent.postMessage({ type: data.message, clientId: data.clientId }, origin);
    });
  });
})();
