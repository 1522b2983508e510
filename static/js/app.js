/*
 * ReliefPortal's own script. Pages must not use inline <script> or on*="" attributes (a
 * Content-Security-Policy will forbid them): put behaviour here, driven by data- attributes.
 */
"use strict";

// <form data-confirm="确定要提交审核吗？">: ask before submitting; Cancel keeps the page as is.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
