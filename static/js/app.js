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

// Table formsets (templates/bootstrap5/table_inline_formset.html): "添加一行" copies the row
// <template>, numbered with the management form's TOTAL_FORMS, which it then raises; a row added
// here can be removed again, and the rows after it are renumbered so the numbers stay 0..n-1.
function formsetTotal(root) {
  return root.closest("form").querySelector(`[name="${root.dataset.formset}-TOTAL_FORMS"]`);
}

function rowIndex(row, prefix) {
  const named = row.querySelector(`[name^="${prefix}-"]`);
  return named ? Number(named.name.slice(prefix.length + 1).split("-")[0]) : -1;
}

function renumberRow(row, prefix, from, to) {
  const pattern = new RegExp(`^${prefix}-${from}-`);
  for (const element of row.querySelectorAll("[name], [id], [for], [aria-describedby]")) {
    for (const attribute of ["name", "id", "for", "aria-describedby"]) {
      const value = element.getAttribute(attribute);
      if (value === null) continue;
      element.setAttribute(
        attribute,
        value.split(" ").map((part) => part
          .replace(pattern, `${prefix}-${to}-`)
          .replace(new RegExp(`^(id_|div_id_)${prefix}-${from}-`), `$1${prefix}-${to}-`))
          .join(" "),
      );
    }
  }
}

document.addEventListener("click", (event) => {
  const add = event.target.closest("[data-formset-add]");
  if (add) {
    const root = add.closest("[data-formset]");
    const total = formsetTotal(root);
    const index = Number(total.value);
    const template = root.querySelector("template[data-formset-empty]");
    const html = template.innerHTML.replaceAll("__prefix__", String(index));
    const body = root.querySelector("tbody");
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const row = body.lastElementChild;
    row.querySelector("input:not([type=hidden]), select, textarea")?.focus();
    return;
  }
  const remove = event.target.closest("[data-formset-remove]");
  if (remove) {
    const root = remove.closest("[data-formset]");
    const prefix = root.dataset.formset;
    const total = formsetTotal(root);
    const row = remove.closest("tr");
    const removed = rowIndex(row, prefix);
    row.remove();
    for (const later of root.querySelectorAll("tbody > tr")) {
      const index = rowIndex(later, prefix);
      if (index > removed) renumberRow(later, prefix, index, index - 1);
    }
    total.value = String(Number(total.value) - 1);
    root.querySelector("[data-formset-add]").focus();
  }
});

// A form that failed to save: move the focus to its error summary (includes/error_summary.html),
// and let its links put the focus in the field they name, not only scroll to it. An action that
// failed and came back to the page (a return without a comment, say) has no form to summarise:
// the focus goes to its error message at the top (includes/messages.html).
document.addEventListener("DOMContentLoaded", () => {
  (
    document.querySelector("[data-error-summary]") ?? document.querySelector("[data-error-message]")
  )?.focus();
});
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-error-link]");
  const field = link && document.getElementById(link.getAttribute("href").slice(1));
  if (field) {
    event.preventDefault();
    field.focus();
    field.scrollIntoView({ block: "center" });
  }
});
