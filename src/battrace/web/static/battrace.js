// battrace web application: small progressive enhancements; every page works without them.
"use strict";

// Forms that change or delete something ask first.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// "Add a row" in the product form: copy the last row, emptied, with fresh ids.
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest("[data-add-row]") : null;
  if (!link) return;
  const body = document.getElementById(link.dataset.addRow)?.querySelector("tbody");
  const last = body?.lastElementChild;
  if (!body || !last) return;
  event.preventDefault();
  const index = body.children.length;
  const row = last.cloneNode(true);
  row.querySelectorAll("[id]").forEach((node) => { node.id = node.id.replace(/^c\d+-/, `c${index}-`); });
  row.querySelectorAll("label[for]").forEach((node) => {
    node.htmlFor = node.htmlFor.replace(/^c\d+-/, `c${index}-`);
    node.textContent = node.textContent.replace(/\d+/, String(index + 1));
  });
  row.querySelectorAll("input").forEach((input) => { input.value = ""; input.removeAttribute("aria-invalid"); });
  row.querySelectorAll("select").forEach((select) => { select.selectedIndex = 0; });
  row.querySelectorAll(".error").forEach((node) => node.remove());
  body.appendChild(row);
  row.querySelector("input:not([type=hidden])")?.focus();
});

// CSV import: send the file, then follow the server's progress line by line.
const importForm = document.getElementById("csv-import");
if (importForm instanceof HTMLFormElement) {
  importForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const progress = document.getElementById("import-progress");
    const status = document.getElementById("import-status");
    const report = document.getElementById("import-report");
    const button = importForm.querySelector("button[type=submit]");
    progress.hidden = false;
    progress.removeAttribute("value");
    report.replaceChildren();
    button.disabled = true;
    try {
      const response = await fetch(importForm.action, {
        method: "POST", body: new FormData(importForm), headers: { Accept: "application/x-ndjson" },
      });
      if (!response.ok || !response.body) {
        status.textContent = importForm.dataset.failed;
        return;
      }
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let newline;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (line) show(JSON.parse(line));
        }
      }
    } catch (error) {
      status.textContent = importForm.dataset.failed;
    } finally {
      button.disabled = false;
    }

    function show(message) {
      if (message.total !== undefined) {
        progress.max = Math.max(message.total, 1);
        progress.value = message.done;
      }
      if (message.status) status.textContent = message.status;
      if (message.errors && message.errors.length) {
        const table = document.createElement("table");
        const head = table.createTHead().insertRow();
        for (const title of JSON.parse(importForm.dataset.columns)) {
          const th = document.createElement("th");
          th.scope = "col";
          th.textContent = title;
          head.appendChild(th);
        }
        const body = table.createTBody();
        for (const error of message.errors) {
          const row = body.insertRow();
          for (const value of [error.row, error.column, error.message]) row.insertCell().textContent = value;
        }
        report.appendChild(table);
      }
      if (message.created && message.created.length) {
        const list = document.createElement("ul");
        for (const product of message.created) {
          const link = document.createElement("a");
          link.href = product.url;
          link.textContent = product.name;
          list.appendChild(document.createElement("li")).appendChild(link);
        }
        report.appendChild(list);
      }
    }
  });
}
