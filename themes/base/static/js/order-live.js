// The order page follows fulfilment without a reload: while the order is paid, accepted
// or fulfilling, it asks the server for the changing parts of the page every 1.5 s and
// swaps them in (server-rendered, already escaped and translated).
(function () {
  "use strict";
  var root = document.querySelector("[data-order-live]");
  if (!root || !window.fetch) {
    return;
  }
  var url = root.getAttribute("data-status-url");
  var FAST = 1500;
  var SLOW = 10000;
  var SLOW_AFTER = 2 * 60 * 1000;
  var GIVE_UP_AFTER = 30 * 60 * 1000;
  var started = Date.now();
  var shown = {};

  function apply(data) {
    var regions = data.regions || {};
    Object.keys(regions).forEach(function (name) {
      var region = root.querySelector('[data-live-region="' + name + '"]');
      if (region && shown[name] !== regions[name]) {
        region.innerHTML = regions[name];
        shown[name] = regions[name];
      }
    });
    root.setAttribute("data-status", data.status);
    root.setAttribute("data-live", data.live ? "true" : "false");
  }

  function schedule() {
    var age = Date.now() - started;
    if (age > GIVE_UP_AFTER) {
      return;
    }
    window.setTimeout(poll, age > SLOW_AFTER ? SLOW : FAST);
  }

  function poll() {
    if (document.hidden) {
      schedule();
      return;
    }
    fetch(url, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      cache: "no-store",
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        apply(data);
        if (data.live) {
          schedule();
        }
      })
      .catch(schedule);
  }

  if (root.getAttribute("data-live") === "true") {
    schedule();
  }
})();
