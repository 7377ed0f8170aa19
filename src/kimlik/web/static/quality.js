// Data quality: when the polled status line says a new report is ready, fetch the report
// and put it in place of the old one (without this script, the line links to the page).
"use strict";

(function () {
  async function swap(status) {
    const url = status.dataset.qualityReady;
    status.removeAttribute("data-quality-ready");
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) return;
      document.getElementById("quality-report").innerHTML = await response.text();
      const time = document.querySelector("#quality-report .asof time");
      status.textContent = "Updated: this is the report as of " + (time ? time.textContent : "now") + ".";
    } catch (error) {
      // the link in the status line still works
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const live = document.getElementById("quality-live");
    if (!live) return;
    const check = () => {
      const ready = live.querySelector("[data-quality-ready]");
      if (ready) swap(ready);
    };
    new MutationObserver(check).observe(live, { childList: true, subtree: true });
    check();
  });
})();
