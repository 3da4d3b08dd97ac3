// The continue_on popup (checklist 46, 47;
// https://w3c-fedid.github.io/FedCM/#show-a-continuation-dialog): hand the
// token to the browser with IdentityProvider.resolve(token, {accountId}), or abort with
// IdentityProvider.close(). Both exist only inside a FedCM popup (Chrome 132+);
// resolve() rejects with NotAllowedError anywhere else.
(function () {
  "use strict";

  // The page's language comes from the template (data-* on #fedcm-status); the
  // English fallback serves templates overridden before those attributes existed.
  function say(key, text) {
    var status = document.getElementById("fedcm-status");
    if (status) {
      status.textContent = status.getAttribute(key) || text;
    }
  }

  function close() {
    if (window.IdentityProvider && typeof window.IdentityProvider.close === "function") {
      window.IdentityProvider.close();
    } else {
      window.close();
    }
  }

  function start() {
    var node = document.getElementById("fedcm-continuation");
    var data = node ? JSON.parse(node.textContent) : {action: "none"};

    var buttons = document.querySelectorAll("[data-fedcm-close]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", close);
    }

    if (data.action === "resolve") {
      if (!window.IdentityProvider || typeof window.IdentityProvider.resolve !== "function") {
        say("data-not-in-popup", "This page must be opened by the browser's sign-in dialog.");
        return;
      }
      Promise.resolve(window.IdentityProvider.resolve(data.token, {accountId: data.accountId}))
        .catch(function () {
          say("data-rejected", "The browser did not accept the sign-in. Please start again from the site.");
        });
    } else if (data.action === "close") {
      close();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
