// A file over its field's limit (data-max-bytes) is refused before the form is sent: the
// server would answer 413 and everything typed on the page would be lost.
for (const input of document.querySelectorAll('input[type="file"][data-max-bytes]')) {
  const limit = Number(input.dataset.maxBytes);
  const message = document.createElement("p");
  message.className = "fr-error-text";
  message.id = `${input.id}-too-large`;
  message.hidden = true;
  message.textContent = input.dataset.tooLarge;
  input.insertAdjacentElement("afterend", message);
  const describedBy = input.getAttribute("aria-describedby") || "";

  const check = () => {
    const tooLarge = Array.from(input.files || []).some((file) => file.size > limit);
    message.hidden = !tooLarge;
    input.setAttribute("aria-invalid", tooLarge ? "true" : "false");
    input.setAttribute("aria-describedby", tooLarge ? `${describedBy} ${message.id}`.trim() : describedBy);
    return tooLarge;
  };
  input.addEventListener("change", check);
  input.form?.addEventListener("submit", (event) => {
    if (check()) {
      event.preventDefault();
      input.focus();
    }
  });
}
