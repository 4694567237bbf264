// Follows a background job on its page: polls the job's JSON, moves the progress bar, and
// reloads the page once the job is finished (the server then shows its result).
(function () {
  "use strict";

  var root = document.getElementById("job");
  if (!root || root.dataset.state === "done" || root.dataset.state === "failed") return;
  var bar = root.querySelector("[data-job-progress]");
  var text = root.querySelector("[data-job-text]");
  var delay = 1000;

  function show(job) {
    var total = job.progress.total;
    if (bar && total) {
      bar.max = total;
      bar.value = job.progress.done;
      bar.textContent = Math.round((100 * job.progress.done) / total) + " %";
    }
    if (text && total) {
      text.textContent = text.dataset.template
        .replace("{done}", job.progress.done.toLocaleString())
        .replace("{total}", total.toLocaleString());
    }
  }

  function poll() {
    fetch(root.dataset.jobUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        if (job.state === "done" || job.state === "failed") {
          window.location.reload();
          return;
        }
        show(job);
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000); // the server is busy or away: ask less often
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
