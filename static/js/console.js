// Behaviour shared by every page: theme toggle, toasts, confirm dialog.
(function () {
  "use strict";

  var THEMES = ["system", "light", "dark"];

  function currentTheme() {
    return document.documentElement.dataset.theme || "system";
  }

  function applyTheme(theme) {
    if (theme === "system") {
      delete document.documentElement.dataset.theme;
      try { localStorage.removeItem("console-theme"); } catch (e) { /* ignore */ }
    } else {
      document.documentElement.dataset.theme = theme;
      try { localStorage.setItem("console-theme", theme); } catch (e) { /* ignore */ }
    }
    var button = document.getElementById("theme-toggle");
    if (button) button.setAttribute("aria-label", "Theme: " + (theme === "system" ? "follows the system" : theme));
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("#theme-toggle");
    if (!toggle) return;
    var next = THEMES[(THEMES.indexOf(currentTheme()) + 1) % THEMES.length];
    applyTheme(next);
  });

  function showToast(message, level) {
    var region = document.getElementById("toasts");
    if (!region) return;
    var toast = document.createElement("div");
    toast.className = "toast alert alert-" + (level || "success");
    toast.setAttribute("role", "status");
    toast.textContent = message;
    region.appendChild(toast);
    setTimeout(function () { toast.remove(); }, level === "error" ? 8000 : 4000);
  }
  window.consoleToast = showToast;

  document.addEventListener("toast", function (event) {
    var detail = event.detail || {};
    showToast(detail.message || String(detail.value || ""), detail.level);
  });

  // A failed request that htmx could not even send (network down).
  document.addEventListener("htmx:sendError", function () {
    showToast("The console could not be reached. Check your connection and try again.", "error");
  });

  // hx-confirm uses the page's <dialog> rather than window.confirm.
  document.addEventListener("htmx:confirm", function (event) {
    if (!event.detail.question) return;
    event.preventDefault();
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") {
      if (window.confirm(event.detail.question)) event.detail.issueRequest(true);
      return;
    }
    document.getElementById("confirm-dialog-question").textContent = event.detail.question;
    var ok = document.getElementById("confirm-dialog-ok");
    var cancel = document.getElementById("confirm-dialog-cancel");
    function close(confirmed) {
      ok.removeEventListener("click", onOk);
      cancel.removeEventListener("click", onCancel);
      dialog.close();
      if (confirmed) event.detail.issueRequest(true);
    }
    function onOk() { close(true); }
    function onCancel() { close(false); }
    ok.addEventListener("click", onOk);
    cancel.addEventListener("click", onCancel);
    dialog.showModal();
  });
})();
