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

  function save(form, section) {
    var status = section.querySelector("[data-autosave-status]");
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
      section.addEventListener("change", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () { save(form, section); }, 300);
      });
    });
  });
})();
