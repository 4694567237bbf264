// A form sent back with errors: its summary takes the focus, so that a keyboard or screen
// reader user starts from the list of what to fix (each entry links to its field).
const summary = document.getElementById("error-summary");
if (summary) {
  summary.focus();
}
