// bma-news search: small progressive enhancements; every feature works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Changing the sort order re-runs the search (keyboard users can still use the button).
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form && select.form.requestSubmit());
  }
  // "/" jumps to the search box, as on many search sites.
  const box = document.getElementById("q");
  document.addEventListener("keydown", (event) => {
    const typing = event.target instanceof HTMLElement &&
      (event.target.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(event.target.tagName));
    if (event.key === "/" && box && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });
  // The date inputs: the 'to' date cannot be before the 'from' date.
  const from = document.getElementById("from");
  const to = document.getElementById("to");
  if (from && to) {
    const sync = () => { to.min = from.value || ""; from.max = to.value || ""; };
    from.addEventListener("change", sync);
    to.addEventListener("change", sync);
    sync();
  }
});
