/*
 * <form data-retry-upload>: forms that carry files (photos taken in a village) are sent with
 * fetch, and an attempt that fails on the network or with a temporary server error is tried
 * again, a few times with growing pauses, instead of leaving the worker with a broken page
 * and the form lost. The server's answer is then followed like a normal submission: the page
 * a redirect led to is shown; a page with errors by submitting the form normally once more.
 * Texts come from the form's data-retry-text ("%s" is the attempt) and data-failed-text.
 */
"use strict";

(() => {
  const ATTEMPTS = 5;
  const FIRST_PAUSE_MS = 1000;
  const TEMPORARY = new Set([408, 429, 500, 502, 503, 504]);

  const pause = (ms) => new Promise((resolve) => { window.setTimeout(resolve, ms); });

  async function send(form, status, button) {
    const body = new FormData(form);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
      try {
        const response = await fetch(form.action || window.location.href, {
          method: "POST", body, credentials: "same-origin",
        });
        if (!TEMPORARY.has(response.status)) {
          if (response.redirected) {
            // The page the server sent us on to was already fetched, and with it the one-time
            // messages ("已保存", a refused file's reason): show that page rather than load it
            // again without them.
            const html = await response.text();
            document.open();
            document.write(html);
            document.close();
            window.history.replaceState(null, "", response.url);
          } else {
            form.submit();
          }
          return;
        }
      } catch (networkError) {
        // fetch rejects when the connection drops: try again below.
      }
      if (attempt < ATTEMPTS) {
        if (status) status.textContent = (form.dataset.retryText || "").replace("%s", attempt);
        await pause(FIRST_PAUSE_MS * 2 ** (attempt - 1));
      }
    }
    if (status) status.textContent = form.dataset.failedText || "";
    button.disabled = false;
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !("retryUpload" in form.dataset)) return;
    if (event.defaultPrevented) return; // e.g. a data-confirm question was cancelled
    event.preventDefault();
    const button = form.querySelector("[type=submit]");
    if (button) button.disabled = true;
    send(form, form.querySelector("[data-upload-status]"), button || {});
  });
})();
