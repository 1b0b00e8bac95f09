// GOV.UK's timeout warning (https://design-system.service.gov.uk/patterns/ — "Warn users before a session times
// out", as HMRC's timeout dialog does it) on long forms: a modal dialog `data-warning-seconds` before the session would
// end. "Stay signed in" posts to the keep-alive endpoint, which renews the session and says how long is left; "Sign
// out" signs out. Left alone, the page asks for itself again once the time is up (and a moment more, for the
// clocks to agree): the session has ended, so that lands on the sign-in page saying why, and back here after. A native <dialog> opened with
// showModal(): the rest of the page is inert, focus moves into the dialog and comes back to where it was after.
(function () {
  "use strict";
  var dialog = document.getElementById("session-timeout");
  if (!dialog || typeof dialog.showModal !== "function" || !window.fetch) {
    return;
  }
  var warning = parseInt(dialog.getAttribute("data-warning-seconds"), 10) || 120;
  var countdown = dialog.querySelector("[data-countdown]");
  var heading = dialog.querySelector("h2");
  var keepAlive = dialog.querySelector("form[data-keep-alive]");
  var endsAt = 0;
  var returnFocus = null;
  var timer = null;

  // The texts in the page's language, from Django's JavaScript catalogue (/jsi18n/, templates/base.html): Welsh has
  // four plural forms, which the catalogue's ngettext knows. The English as it stands if the catalogue did not load.
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var fill = window.interpolate || function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  };

  function inWords(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    var parts = [];
    if (minutes) {
      parts.push(fill(ngettext("%(count)s minute", "%(count)s minutes", minutes), { count: minutes }, true));
    }
    if (rest || !minutes) {
      parts.push(fill(ngettext("%(count)s second", "%(count)s seconds", rest), { count: rest }, true));
    }
    return parts.join(" ");
  }

  function signedOut() {
    window.location.href = dialog.getAttribute("data-when-ended-url");
  }

  function schedule(secondsLeft) {
    endsAt = Date.now() + secondsLeft * 1000;
    window.clearInterval(timer);
    timer = window.setInterval(tick, 1000);
    tick();
  }

  function tick() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    if (left <= 0) {
      window.clearInterval(timer);
      window.setTimeout(signedOut, 2000);
      return;
    }
    if (left <= warning) {
      // Whole minutes until the last minute, then every 15 seconds: a screen reader is not read a clock.
      var shown = left > 60 ? Math.ceil(left / 60) * 60 : Math.ceil(left / 15) * 15;
      countdown.textContent = inWords(shown);
      if (!dialog.open) {
        returnFocus = document.activeElement;
        dialog.showModal();
        heading.focus();
      }
    }
  }

  keepAlive.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(keepAlive.action, { method: "POST", credentials: "same-origin", body: new FormData(keepAlive) })
      .then(function (response) {
        if (!response.ok || response.redirected) {
          throw new Error("signed out");
        }
        return response.json();
      })
      .then(function (answer) {
        dialog.close();
        schedule(answer.seconds_left);
      })
      .catch(signedOut);
  });

  dialog.addEventListener("cancel", function (event) {
    event.preventDefault(); // Escape means "stay signed in", as GOV.UK's pattern has it
    keepAlive.requestSubmit();
  });

  dialog.addEventListener("close", function () {
    if (returnFocus && returnFocus.focus) {
      returnFocus.focus();
    }
  });

  schedule(parseInt(dialog.getAttribute("data-seconds-left"), 10) || 0);
})();
