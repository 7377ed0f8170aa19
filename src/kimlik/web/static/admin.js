// The admin pages: copy a new key or a snippet to the clipboard (the text stays selectable without it).
"use strict";

(function () {
  function copier(button) {
    const source = document.getElementById(button.dataset.copy);
    const status = document.getElementById("copy-status");
    if (!source) return;
    button.hidden = false;
    const label = button.firstChild.textContent;
    button.addEventListener("click", async () => {
      try {
        if (!navigator.clipboard) throw new Error("no clipboard on a plain-HTTP page");
        await navigator.clipboard.writeText(source.textContent);
        button.firstChild.textContent = "Copied";
        if (status) status.textContent = "Copied to the clipboard.";
      } catch (error) {
        const range = document.createRange();
        range.selectNodeContents(source);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        if (status) status.textContent = "Selected: press Ctrl+C to copy.";
      }
      setTimeout(() => { button.firstChild.textContent = label; }, 2000);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("button[data-copy]").forEach(copier);
  });
})();
