/*
 * The page of a background job (an import being checked or imported, an export being
 * written): polls the job's progress URL and updates the bar; when the job is no longer busy,
 * reloads the page to show the result.
 */
"use strict";

(() => {
  const box = document.getElementById("job-status");
  if (!box || box.dataset.busy !== "true") {
    return;
  }
  const bar = box.querySelector("[data-progress-bar]");
  const text = box.querySelector("[data-progress-text]");
  const label = box.querySelector("[data-status-label]");
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) {
        return;
      }
      const run = await response.json();
      if (!run.busy) {
        window.location.reload();
        return;
      }
      if (bar) { bar.value = run.percent; bar.textContent = `${run.percent}%`; }
      if (text) { text.textContent = `${run.processed} / ${run.total}`; }
      if (label) { label.textContent = run.status_label; }
    } finally {
      window.setTimeout(poll, 2000);
    }
  };
  window.setTimeout(poll, 1000);
})();
