// Refreshes a part of the page in place every few seconds (the triage queue's table, the returns' progress),
// without reloading the page, and says so to screen readers. No inline script: the page names this file and the
// part carries its own settings:
// <div data-refresh-url="…&partial=1" data-refresh-seconds="30" data-status="queue-status" data-label="Queue">
// A refreshed part holding an element with data-refresh-done ends the refreshing.
(function () {
  "use strict";
  var table = document.querySelector("[data-refresh-url]");
  if (!table || !window.fetch) {
    return;
  }
  var url = table.getAttribute("data-refresh-url");
  var seconds = parseInt(table.getAttribute("data-refresh-seconds"), 10) || 30;
  var status = document.getElementById(table.getAttribute("data-status") || "queue-status");
  var label = table.getAttribute("data-label") || "Queue";
  var busy = false;
  // The texts in the page's language, from Django's JavaScript catalogue (/jsi18n/, templates/base.html); the
  // English as it stands if the catalogue did not load.
  var gettext = window.gettext || function (text) { return text; };
  var fill = window.interpolate || function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  };

  function twoDigits(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function announce(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function refresh() {
    // Not while the page is hidden, a request is on its way, or someone is working inside the table (replacing
    // it would take their focus away, from a Claim button, say).
    if (busy || document.hidden || table.contains(document.activeElement)) {
      return;
    }
    busy = true;
    // Marked as background: a refresh does not count as the person using the service (mash/sessions.py), so a page
    // left open still times out.
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch", "X-Background-Request": "1" } })
      .then(function (response) {
        // Signed out (401, or a redirect to the sign-in page) or an error: keep what is shown, and stop once signed out.
        if (!response.ok || response.redirected) {
          if (response.redirected || response.status === 401) {
            window.clearInterval(timer);
            announce(fill(gettext("%(label)s stopped updating: sign in again to see the latest."), { label: label }, true));
          }
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (html === null) {
          return;
        }
        table.innerHTML = html;
        // The part says when there is nothing left to wait for (a return built): stop asking.
        if (table.querySelector("[data-refresh-done]")) {
          window.clearInterval(timer);
        }
        var now = new Date();
        var time = twoDigits(now.getHours()) + ":" + twoDigits(now.getMinutes());
        announce(fill(gettext("%(label)s updated %(time)s"), { label: label, time: time }, true));
      })
      .catch(function () {
        // Offline for a moment: try again next time.
      })
      .then(function () {
        busy = false;
      });
  }

  var timer = window.setInterval(refresh, seconds * 1000);
})();
