// Irreversible actions (templates/_macros/confirm.html): once the DSFR's JavaScript runs, the
// button opens its confirmation modal (aria-controls) instead of sending the form; the
// modal's "Confirm" button sends it. Without this script the button sends the form at once.
document.addEventListener(
  "click",
  (event) => {
    const button = event.target.closest("button[data-app-confirm]");
    if (!button || !window.dsfr) return;
    const modal = document.getElementById(button.getAttribute("aria-controls"));
    if (modal) event.preventDefault();
  },
  true,
);
