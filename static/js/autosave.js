// Saves each criterion of a self-assessment or scoring form as soon as it changes.
// Progressive enhancement: without JavaScript the form's button saves the whole domain.
(function () {
  "use strict";

  function fieldsOf(section) {
    var data = [];
    section.querySelectorAll("input, textarea, select").forEach(function (field) {
      if (!field.name || field.disabled) return;
      if ((field.type === "radio" || field.type === "checkbox") && !field.checked) return;
      data.push([field.name, field.value]);
    });
    return data;
  }

  // A section marked data-text-with-choice="N" (scoring: a level and its justification)
  // is sent only once a choice is made and its text has N characters, trimmed: the rule
  // the server applies. Until then it says so, without an error: nothing was refused.
  function ready(section) {
    var minimum = parseInt(section.dataset.textWithChoice || "0", 10);
    if (!minimum) return "send";
    var chosen = section.querySelector("input[type=radio]:checked");
    var text = section.querySelector("textarea");
    var length = text ? text.value.trim().length : 0;
    if (!chosen) return "idle";
    return length >= minimum ? "send" : "wait";
  }

  function save(form, section) {
    var status = section.querySelector("[data-autosave-status]");
    var state = ready(section);
    if (state !== "send") {
      status.textContent = state === "wait" ? status.dataset.waiting : "";
      status.classList.remove("fr-message--error", "fr-message--valid");
      return;
    }
    var body = new FormData();
    body.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
    fieldsOf(section).forEach(function (pair) { body.append(pair[0], pair[1]); });
    status.textContent = status.dataset.saving;
    fetch(window.location.href, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    })
      .then(function (response) {
        return response.json().then(function (answer) { return [response.ok, answer]; });
      })
      .then(function (result) {
        status.textContent = result[0] ? result[1].message : result[1].detail;
        status.classList.toggle("fr-message--error", !result[0]);
        status.classList.toggle("fr-message--valid", result[0]);
      })
      .catch(function () {
        status.textContent = status.dataset.failed;
        status.classList.add("fr-message--error");
      });
  }

  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    form.querySelectorAll("[data-criterion]").forEach(function (section) {
      var timer = null;
      function later(delay) {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () { save(form, section); }, delay);
      }
      section.addEventListener("change", function () { later(300); });
      if (section.dataset.textWithChoice) {
        // Typing a justification saves it once it is long enough, without leaving the field.
        section.addEventListener("input", function () { later(1200); });
      }
    });
  });
})();
