// Data boards: inline cell editing, keyboard shortcuts, row selection, the field type picker.
(function () {
  "use strict";

  if (window.consoleBoards) return;  // loaded once per document, even across boosted navigation
  window.consoleBoards = true;

  var originals = new WeakMap();  // cell -> its markup before editing, for Escape

  function isTyping(target) {
    if (!target || !target.closest) return false;
    return Boolean(target.closest("input, textarea, select, [contenteditable=true]"));
  }

  function table() { return document.getElementById("items-table"); }

  function rows() {
    var t = table();
    return t ? Array.prototype.slice.call(t.querySelectorAll("tbody tr.item-row")) : [];
  }

  function currentRow() {
    var t = table();
    return t ? t.querySelector("tbody tr.is-current") : null;
  }

  function setCurrent(row) {
    rows().forEach(function (r) { r.classList.remove("is-current"); });
    if (!row) return;
    row.classList.add("is-current");
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  // A cell's URL comes from one template on the table, its row's id (item-ID) and its column's
  // header (data-field): a page of 400 cells carries no ids of its own.
  function cellUrl(cell, suffix) {
    var t = cell.closest("table");
    var row = cell.closest("tr");
    var header = t && t.tHead && t.tHead.rows[0].cells[cell.cellIndex];
    if (!t || !t.dataset.cellUrl || !row || !header || !header.dataset.field) return "";
    var item = row.id.replace(/^item-/, "");
    return t.dataset.cellUrl.replace("ITEM", item).replace("FIELD", header.dataset.field) + suffix;
  }

  function focusEditor(cell) {
    var field = cell.querySelector(".cell-editor input:not([type=hidden]), .cell-editor select, .cell-editor textarea");
    if (!field) return;
    field.focus();
    if (field.select && (field.type === "text" || field.type === "email" || field.type === "url" || field.type === "tel" || field.type === "number")) field.select();
  }

  function closeEditor(cell, keepFocus) {
    if (!cell || !cell.querySelector(".cell-editor")) return;
    if (originals.has(cell)) {
      cell.innerHTML = originals.get(cell);
      originals.delete(cell);
      cell.classList.remove("is-editing");
    } else if (cellUrl(cell, "") && window.htmx) {
      window.htmx.ajax("GET", cellUrl(cell, ""), { target: cell, swap: "innerHTML" });
      cell.classList.remove("is-editing");
    }
    if (keepFocus) setCurrent(cell.closest("tr"));
  }

  function openEditor(cell) {
    var url = cell && cellUrl(cell, "edit/");
    if (!url || !window.htmx) return;
    if (cell.querySelector(".cell-editor")) { focusEditor(cell); return; }
    document.querySelectorAll("td.is-editing").forEach(function (other) { closeEditor(other, false); });
    originals.set(cell, cell.innerHTML);
    cell.classList.add("is-editing");
    setCurrent(cell.closest("tr"));
    window.htmx.ajax("GET", url, { target: cell, swap: "innerHTML" }).then(function () {
      focusEditor(cell);
    });
  }

  // Click a cell to edit it (links, inputs and the editor itself keep their own clicks).
  document.addEventListener("click", function (event) {
    var target = event.target;
    var cancel = target.closest("[data-cancel]");
    if (cancel) {
      event.preventDefault();
      closeEditor(cancel.closest("td"), true);
      return;
    }
    if (target.closest("a, button, input, select, textarea, label, .cell-editor")) return;
    var cell = target.closest("td.cell-editable");
    if (cell) openEditor(cell);
    var row = target.closest("tr.item-row");
    if (row && !cell) setCurrent(row);
  });

  // Inside an editor: Enter saves (Shift+Enter is a new line in long text), Escape cancels.
  document.addEventListener("keydown", function (event) {
    var editor = event.target.closest && event.target.closest(".cell-editor");
    if (!editor) return;
    if (event.key === "Escape") {
      event.preventDefault();
      closeEditor(editor.closest("td"), true);
    } else if (event.key === "Enter" && !(event.target.tagName === "TEXTAREA" && event.shiftKey)) {
      if (event.target.tagName === "BUTTON") return;
      event.preventDefault();
      editor.requestSubmit();
    }
  });

  // Page shortcuts, when no field has the keyboard.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    if (document.querySelector("dialog[open]") && event.key !== "?") return;
    var search = document.getElementById("item-search");
    if (event.key === "/" && search) {
      event.preventDefault();
      search.focus();
      search.select();
    } else if ((event.key === "j" || event.key === "k") && table()) {
      event.preventDefault();
      var all = rows();
      if (!all.length) return;
      var index = all.indexOf(currentRow());
      var next = event.key === "j" ? Math.min(index + 1, all.length - 1) : Math.max(index - 1, 0);
      setCurrent(all[index === -1 ? 0 : next]);
    } else if (event.key === "e" && table()) {
      var row = currentRow() || rows()[0];
      var cell = row && row.querySelector("td.cell-editable");
      if (cell) { event.preventDefault(); openEditor(cell); }
    } else if (event.key === "x" && currentRow()) {
      var box = currentRow().querySelector("input[name=ids]");
      if (box) { event.preventDefault(); box.click(); }
    } else if (event.key === "?") {
      var dialog = document.getElementById("board-shortcuts");
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        if (dialog.open) dialog.close(); else dialog.showModal();
      }
    }
  });

  // Escape in the search box leaves it for the table.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && event.target.id === "item-search") {
      event.target.blur();
      setCurrent(currentRow() || rows()[0]);
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-shortcuts-open]")) {
      var dialog = document.getElementById("board-shortcuts");
      if (dialog && typeof dialog.showModal === "function") dialog.showModal();
    }
    if (event.target.closest("[data-shortcuts-close]")) {
      event.target.closest("dialog").close();
    }
  });

  // Row selection: the count, the bulk button and its confirmation follow the ticks.
  function refreshSelection() {
    var boxes = Array.prototype.slice.call(document.querySelectorAll("#items-table input[name=ids]"));
    var chosen = boxes.filter(function (box) { return box.checked; });
    var button = document.querySelector("[data-bulk-delete]");
    var count = document.querySelector("[data-selected-count]");
    var form = document.getElementById("bulk-form");
    var all = document.querySelector("[data-select-all]");
    boxes.forEach(function (box) { box.closest("tr").classList.toggle("is-selected", box.checked); });
    if (button) button.disabled = chosen.length === 0;
    if (count) count.textContent = chosen.length ? chosen.length + " selected" : "";
    if (form) form.setAttribute("hx-confirm", "Delete " + chosen.length + " selected item" + (chosen.length === 1 ? "" : "s") + "? This cannot be undone.");
    if (form) form.classList.toggle("has-selection", chosen.length > 0);
    if (all) {
      all.checked = boxes.length > 0 && chosen.length === boxes.length;
      all.indeterminate = chosen.length > 0 && chosen.length < boxes.length;
    }
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-select-all]")) {
      document.querySelectorAll("#items-table input[name=ids]").forEach(function (box) { box.checked = event.target.checked; });
    }
    if (event.target.matches("[data-select-all], #items-table input[name=ids]")) refreshSelection();
    if (event.target.matches("[data-field-form] select[name=type]")) refreshTypePicker();
  });

  // The options editor shows only for selection types.
  var OPTION_TYPES = ["SingleSelection", "MultipleSelection", "Priority"];
  function refreshTypePicker() {
    var form = document.querySelector("[data-field-form]");
    if (!form) return;
    var type = form.querySelector("select[name=type]");
    var options = form.querySelector("[data-options-editor]");
    if (type && options) options.classList.toggle("hidden", OPTION_TYPES.indexOf(type.value) === -1);
  }

  function init() {
    refreshSelection();
    refreshTypePicker();
  }

  // After a row is deleted in place, the table is fetched again for its current URL (query, page, sort).
  document.addEventListener("boardItemsChanged", function () {
    if (window.htmx && document.getElementById("items-region")) {
      window.htmx.ajax("GET", window.location.pathname + window.location.search, { target: "#items-region", swap: "innerHTML" });
    }
  });

  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", function (event) {
    init();
    var target = event.detail && event.detail.target;
    // A saved cell answers with its whole row: keep the keyboard on the new row.
    var row = target && target.id && document.getElementById(target.id);
    if (row && row.matches("tr.item-row")) setCurrent(row);
  });
  if (document.readyState !== "loading") init();
})();
