// The customer import page follows the check or the import: it asks for the row count
// every second, moves the progress bar, and reloads the page once the work is done.
(function () {
  "use strict";
  var root = document.querySelector("[data-import-progress]");
  if (!root || !window.fetch) {
    return;
  }
  var url = root.getAttribute("data-status-url");
  var bar = root.querySelector("progress");
  var text = root.querySelector("[data-progress-text]");
  var started = Date.now();

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        if (!data.working) {
          window.location.reload();
          return;
        }
        bar.max = Math.max(data.total_rows, 1);
        bar.value = data.processed_rows;
        bar.textContent = data.processed_rows + " / " + data.total_rows;
        if (text) {
          text.textContent = data.processed_rows + " / " + data.total_rows;
        }
        schedule();
      })
      .catch(schedule);
  }

  function schedule() {
    if (Date.now() - started < 30 * 60 * 1000) {
      window.setTimeout(poll, 1000);
    }
  }

  schedule();
})();
