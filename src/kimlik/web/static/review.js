// The review pages: a second key for Skip, one decision at a time, and bulk confirmations
// that say how many pairs they touch. The pages work without it.
"use strict";

(function () {
  // "j" skips like "s" (kimlik.js clicks one element per key).
  function skipKey() {
    document.addEventListener("keydown", (event) => {
      if (event.key !== "j" || event.ctrlKey || event.metaKey || event.altKey) return;
      const tag = (event.target.tagName || "").toLowerCase();
      if (["input", "textarea", "select"].includes(tag) || event.target.isContentEditable) return;
      if (document.querySelector("dialog[open]")) return;
      const skip = document.querySelector("[data-skip]");
      if (skip) { event.preventDefault(); skip.click(); }
    });
  }

  // A decision is on its way: a second key press must not decide again.
  function oneDecision() {
    document.querySelectorAll(".decide form").forEach((form) => {
      form.addEventListener("submit", () => {
        setTimeout(() => {
          document.querySelectorAll(".decide button, [data-shortcut]").forEach((element) => {
            element.removeAttribute("data-shortcut");
            if (element.tagName === "BUTTON") element.disabled = true;
          });
        }, 0);
      });
    });
  }

  // Bulk: count the ticked pairs; ask (kimlik.js's dialog) with that count, or say that
  // nothing is selected without sending anything.
  function bulk(form) {
    const count = form.querySelector("#bulk-count");
    const ticked = () => form.querySelectorAll('input[name="item"]:checked').length;
    const show = () => {
      const n = ticked();
      count.textContent = n === 0 ? "" : n + (n === 1 ? " pair selected" : " pairs selected");
    };
    form.addEventListener("change", show);
    form.querySelectorAll('button[name="action"]').forEach((button) => {
      button.addEventListener("click", (event) => {
        const n = ticked();
        if (n === 0) {
          event.preventDefault();
          count.textContent = "Select at least one pair first: tick the box in front of each pair.";
          count.classList.add("error");
          return;
        }
        count.classList.remove("error");
        const pairs = n === 1 ? "1 pair" : n + " pairs";
        if (button.value === "merge") {
          form.dataset.confirm = pairs + " will be merged: the two records of each pair become one customer profile.";
          form.dataset.confirmLabel = "Yes, merge " + pairs;
        } else {
          form.dataset.confirm = pairs + " will be kept apart: each closes without a merge (the matcher may still link them on new evidence).";
          form.dataset.confirmLabel = "Yes, keep " + pairs + " apart";
        }
        form.querySelector('input[name="confirmed"]').value = "yes";
      });
    });
    show();
  }

  document.addEventListener("DOMContentLoaded", () => {
    skipKey();
    oneDecision();
    document.querySelectorAll("form[data-bulk]").forEach(bulk);
  });
})();
