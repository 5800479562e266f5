// Assistant form: suggest a snake_case workflow name (<slug>_v<epoch>) from the assistant's name
// until the user types one of their own. Without JavaScript the server generates the same shape.
(function () {
  "use strict";

  var epoch = Math.floor(Date.now() / 1000);

  function suggestion(name) {
    var slug = name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 200) || "assistant";
    if (/^[0-9]/.test(slug)) slug = "assistant_" + slug;
    return slug + "_v" + epoch;
  }

  function workflowInput() {
    return document.querySelector("input[data-suggest-from]");
  }

  document.addEventListener("input", function (event) {
    var input = workflowInput();
    if (!input) return;
    if (event.target === input) {
      input.dataset.touched = input.value ? "1" : "";
    } else if (event.target.id === input.dataset.suggestFrom && !input.dataset.touched) {
      input.value = event.target.value.trim() ? suggestion(event.target.value) : "";
    }
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest("#workflow-name-suggest")) return;
    var input = workflowInput();
    var name = input && document.getElementById(input.dataset.suggestFrom);
    if (!input || !name) return;
    input.value = suggestion(name.value.trim() || "assistant");
    input.dataset.touched = "";
  });

  function prepare() {
    var input = workflowInput();
    if (!input || input.dataset.prepared) return;
    input.dataset.prepared = "1";
    var name = document.getElementById(input.dataset.suggestFrom);
    if (input.value) input.dataset.touched = "1";
    else if (name && name.value.trim()) input.value = suggestion(name.value);  // typed before this script ran
    var button = document.getElementById("workflow-name-suggest");
    if (button) button.classList.remove("hidden");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", prepare);
  else prepare();
  document.addEventListener("htmx:load", prepare);
})();
