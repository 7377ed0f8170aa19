// The 360 page's timeline: "Show more" appends the next page in place (the link works
// without this script too, opening the next page).
"use strict";

(function () {
  async function more(event) {
    const link = event.target.closest("a[data-more]");
    if (!link) return;
    event.preventDefault();
    const list = document.getElementById("timeline-entries");
    const live = document.getElementById("timeline-live");
    if (!list) { window.location.href = link.href; return; }
    link.setAttribute("aria-disabled", "true");
    link.textContent = "Loading…";
    try {
      const response = await fetch(link.dataset.more, { credentials: "same-origin" });
      if (!response.ok || (response.redirected && new URL(response.url).pathname === "/login")) {
        window.location.href = link.href;
        return;
      }
      const part = document.createElement("template");
      part.innerHTML = await response.text();
      const added = Array.from(part.content.querySelectorAll("[data-entries] > li"));
      added.forEach((item) => list.appendChild(item));
      const next = part.content.getElementById("timeline-more");
      const current = document.getElementById("timeline-more");
      if (next && current) current.replaceWith(next);
      if (live) live.textContent = added.length + " more entries shown.";
      if (added[0]) added[0].focus();
    } catch (error) {
      window.location.href = link.href;
    }
  }

  document.addEventListener("click", more);
})();
