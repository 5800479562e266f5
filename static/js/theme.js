// Runs in <head> before paint: apply the saved theme, else follow the system.
(function () {
  var saved = null;
  try { saved = localStorage.getItem("console-theme"); } catch (e) { /* storage disabled */ }
  if (saved === "light" || saved === "dark") document.documentElement.dataset.theme = saved;
})();
