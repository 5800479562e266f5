// Flows: copy buttons for webhook URLs, and the trigger's JSON payload check before sending.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    var text = source.textContent.trim();
    function done() {
      button.textContent = "Copied";
      if (window.consoleToast) window.consoleToast("Copied " + text);
      setTimeout(function () { button.textContent = "Copy"; }, 2000);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { selectText(source); });
    } else {
      selectText(source);
    }
  });

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    if (window.consoleToast) window.consoleToast("Press Ctrl+C to copy the selected URL.", "warning");
  }

  // The payload must be a JSON object; the server checks again.
  function payloadProblem(text) {
    var value;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return "The payload is not valid JSON: " + error.message;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return 'The payload must be a JSON object, like {"name": "Ada"}.';
    }
    return "";
  }

  function check(editor) {
    var form = editor.closest("form");
    var error = document.getElementById(editor.getAttribute("aria-describedby"));
    var problem = payloadProblem(editor.value);
    if (error) {
      error.textContent = problem;
      error.classList.toggle("hidden", !problem);
    }
    if (problem) editor.setAttribute("aria-invalid", "true");
    else editor.removeAttribute("aria-invalid");
    if (form) {
      form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = !!problem; });
    }
    return !problem;
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches("[data-json-editor]")) check(event.target);
  });

  function guard(event) {
    var form = event.target.closest ? event.target.closest("[data-payload-form]") : null;
    if (!form) return;
    var editor = form.querySelector("[data-json-editor]");
    if (editor && !check(editor)) {
      event.preventDefault();
      event.stopPropagation();
      editor.focus();
    }
  }
  document.addEventListener("submit", guard, true);
  document.addEventListener("htmx:confirm", guard, true);

  function checkAll(root) {
    (root || document).querySelectorAll("[data-json-editor]").forEach(function (editor) {
      if (editor.value.trim()) check(editor);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { checkAll(document); });
  document.addEventListener("htmx:load", function (event) { checkAll(event.target); });
})();
