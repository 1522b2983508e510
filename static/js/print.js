/*
 * <button data-print>: print the page (the report). No inline handlers: see app.js.
 */
"use strict";

document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (button) {
    window.print();
  }
});
