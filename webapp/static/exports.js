/* The export page: polls /exports/<id>/status.json while the export waits or runs, moves the
   progress bar and the step text, and reloads the page once the export is ready or has failed
   (the page then offers the download, or the retry). Served from /static: the content
   security policy allows no inline script. */
(function () {
  "use strict";
  var box = document.querySelector("[data-export-status]");
  if (!box) { return; }
  var url = box.getAttribute("data-export-status");
  var initial = box.getAttribute("data-state");
  var bar = box.querySelector("progress");
  var percent = box.querySelector("[data-testid=export-percent]");
  var step = box.querySelector("[data-testid=export-step]");
  var state = box.querySelector("[data-testid=export-state]");
  var finished = { done: true, failed: true, expired: true };
  var delay = 800;

  function show(status) {
    bar.value = status.percent;
    percent.textContent = String(status.percent);
    step.textContent = status.step || "";
    state.textContent = status.state_label;
    state.className = "lz-export-state lz-export-" + status.state;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (finished[status.state] && status.state !== initial) {
          window.setTimeout(function () { window.location.reload(); }, 300);
          return;
        }
        delay = Math.min(delay * 1.15, 3000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  if (!finished[initial]) { window.setTimeout(poll, delay); }
}());
