// Kimlik's one script: small behaviours on top of pages that work without it.
"use strict";

(function () {
  const csrf = () => {
    const field = document.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  };

  // Type-ahead: an input with data-typeahead fetches that URL with ?q= and swaps the
  // answer into the element named by data-target, at most one request in flight.
  function typeahead(input) {
    const target = document.getElementById(input.dataset.target);
    let timer = null;
    let controller = null;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        if (controller) controller.abort();
        controller = new AbortController();
        const q = input.value.trim();
        const url = input.dataset.typeahead + "?q=" + encodeURIComponent(q);
        try {
          const response = await fetch(url, { signal: controller.signal, credentials: "same-origin" });
          if (response.redirected && new URL(response.url).pathname === "/login") {
            window.location.href = response.url;
            return;
          }
          target.innerHTML = await response.text();
          const page = new URL(window.location.href);
          if (q) page.searchParams.set("q", q); else page.searchParams.delete("q");
          page.searchParams.delete("cursor");
          history.replaceState(null, "", page);
        } catch (error) {
          if (error.name !== "AbortError") target.textContent = "Search failed; press Enter to try again.";
        }
      }, 120);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown") {
        const first = target.querySelector("a");
        if (first) { event.preventDefault(); first.focus(); }
      }
    });
    target.addEventListener("keydown", (event) => {
      const links = Array.from(target.querySelectorAll("a"));
      const at = links.indexOf(document.activeElement);
      if (at < 0) return;
      if (event.key === "ArrowDown" && at + 1 < links.length) { event.preventDefault(); links[at + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (at === 0 ? input : links[at - 1]).focus(); }
    });
  }

  // Forms with data-confirm ask first, in a native dialog that says what will happen.
  function confirmations(form) {
    form.addEventListener("submit", (event) => {
      if (form.dataset.confirmed === "yes") return;
      event.preventDefault();
      const submitter = event.submitter;
      const dialog = document.getElementById("confirm-dialog") || makeDialog();
      dialog.querySelector("[data-message]").textContent = form.dataset.confirm;
      const ok = dialog.querySelector("[data-ok]");
      ok.textContent = form.dataset.confirmLabel || "Yes, do it";
      ok.onclick = () => { dialog.close(); form.dataset.confirmed = "yes"; form.requestSubmit(submitter); };
      dialog.showModal();
      ok.focus();
    });
  }

  function makeDialog() {
    const dialog = document.createElement("dialog");
    dialog.id = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-title");
    dialog.innerHTML =
      '<h2 id="confirm-title">Please confirm</h2><p data-message></p>' +
      '<div class="actions"><button type="button" class="primary" data-ok></button>' +
      '<button type="button" data-cancel>Cancel</button></div>';
    dialog.querySelector("[data-cancel]").onclick = () => dialog.close();
    document.body.appendChild(dialog);
    return dialog;
  }

  // Keyboard shortcuts: an element with data-shortcut="a" is clicked when "a" is pressed
  // outside a text field. The page lists its shortcuts for people to read.
  function shortcuts() {
    document.addEventListener("keydown", (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const tag = (event.target.tagName || "").toLowerCase();
      if (["input", "textarea", "select"].includes(tag) || event.target.isContentEditable) return;
      if (document.querySelector("dialog[open]")) return;
      const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
      const element = document.querySelector('[data-shortcut="' + CSS.escape(key) + '"]');
      if (element) { event.preventDefault(); element.focus(); element.click(); }
    });
  }

  // Progress: an element with data-poll is replaced by the HTML its URL answers, every
  // second, until the answer no longer carries data-poll (the work has finished).
  function poll(element) {
    const again = async () => {
      try {
        const response = await fetch(element.dataset.poll, { credentials: "same-origin" });
        const holder = document.createElement("div");
        holder.innerHTML = await response.text();
        const next = holder.firstElementChild;
        if (!next) return;
        element.replaceWith(next);
        element = next;
        if (next.dataset.poll) setTimeout(again, 1000);
      } catch (error) {
        setTimeout(again, 3000);
      }
    };
    setTimeout(again, 1000);
  }

  // Select all: a checkbox with data-select-all="name" ticks every box of that name.
  function selectAll(box) {
    box.addEventListener("change", () => {
      document.querySelectorAll('input[type=checkbox][name="' + box.dataset.selectAll + '"]')
        .forEach((other) => { other.checked = box.checked; });
    });
  }

  window.kimlik = { csrf };
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-typeahead]").forEach(typeahead);
    document.querySelectorAll("form[data-confirm]").forEach(confirmations);
    document.querySelectorAll("[data-poll]").forEach(poll);
    document.querySelectorAll("[data-select-all]").forEach(selectAll);
    shortcuts();
  });
})();
