// Knowledge uploads: each file goes in its own request (the raw file as the
// body, named by X-File-Name), with a progress bar,
// a status when it ends, and Retry when it failed. Files over the size limit or
// of a refused type are stopped here, before any byte is sent; the server checks
// again. Without this script the form posts all files at once and still works.
(function () {
  "use strict";

  var PARALLEL = 2;
  var queue = [];
  var running = 0;
  var changed = false;

  function formatBytes(bytes) {
    var units = ["bytes", "KB", "MB", "GB", "TB"];
    var value = bytes;
    var unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    return (unit === 0 ? String(value) : value.toFixed(1)) + " " + units[unit];
  }

  function extensionOf(name) {
    var dot = name.lastIndexOf(".");
    return dot > 0 ? name.slice(dot).toLowerCase() : "";
  }

  function refusal(form, file) {
    var maxBytes = Number(form.dataset.maxBytes || 0);
    var allowed = (form.dataset.extensions || "").split(",").filter(Boolean);
    if (allowed.length && allowed.indexOf(extensionOf(file.name)) === -1) {
      return (extensionOf(file.name) || "(no extension)") + " files are not accepted. Allowed: " +
        allowed.map(function (ext) { return ext.slice(1); }).join(", ") + ".";
    }
    if (maxBytes && file.size > maxBytes) {
      return "Larger than the " + formatBytes(maxBytes) + " limit.";
    }
    return "";
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function addItem(list, file) {
    var item = element("li", "upload-item is-waiting");
    item.setAttribute("data-testid", "upload-item");
    item.appendChild(element("span", "upload-name", file.name));
    item.appendChild(element("span", "upload-size muted", formatBytes(file.size)));
    var bar = element("progress", "upload-progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Upload progress of " + file.name);
    item.appendChild(bar);
    item.appendChild(element("span", "upload-status", "Waiting"));
    list.appendChild(item);
    return item;
  }

  function setState(item, state, text) {
    item.className = "upload-item is-" + state;
    item.querySelector(".upload-status").textContent = text;
    var retry = item.querySelector(".upload-retry");
    if (retry) retry.remove();
  }

  function fail(job, message, canRetry) {
    setState(job.item, "failed", "Failed: " + message);
    if (!canRetry) return;
    var retry = element("button", "upload-retry outline secondary kh-small-button", "Retry");
    retry.type = "button";
    retry.addEventListener("click", function () {
      job.item.querySelector(".upload-progress").value = 0;
      setState(job.item, "waiting", "Waiting");
      enqueue(job);
    });
    job.item.appendChild(retry);
  }

  function finished() {
    running -= 1;
    pump();
    if (running === 0 && queue.length === 0 && changed) {
      changed = false;
      document.body.dispatchEvent(new CustomEvent("knowledge:files-changed", { bubbles: true }));
    }
  }

  function send(job) {
    var form = job.form;
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var xhr = new XMLHttpRequest();
    var bar = job.item.querySelector(".upload-progress");
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    if (token) xhr.setRequestHeader("X-CSRFToken", token.value);
    xhr.upload.addEventListener("progress", function (event) {
      if (!event.lengthComputable) return;
      var percent = Math.floor((event.loaded / event.total) * 100);
      bar.value = percent;
      job.item.querySelector(".upload-status").textContent = "Uploading " + percent + "%";
    });
    xhr.upload.addEventListener("load", function () {
      bar.value = 100;
      job.item.querySelector(".upload-status").textContent = "Saving to the knowledge hub";
    });
    xhr.addEventListener("load", function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      var result = body && body.results && body.results[0];
      if (xhr.status >= 200 && xhr.status < 300 && result && result.ok) {
        bar.value = 100;
        setState(job.item, "done", "Uploaded");
        changed = true;
      } else if (result && result.message) {
        fail(job, result.message, xhr.status !== 413 && xhr.status !== 415 && xhr.status !== 403);
      } else if (xhr.status === 413) {
        fail(job, "The file is larger than the console accepts.", false);
      } else if (xhr.status === 403) {
        fail(job, "You are not allowed to upload here, or your session expired. Reload the page.", false);
      } else {
        fail(job, "The console answered " + xhr.status + ".", true);
      }
      finished();
    });
    xhr.addEventListener("error", function () {
      fail(job, "The connection was lost.", true);
      finished();
    });
    xhr.addEventListener("abort", function () {
      fail(job, "The upload was cancelled.", true);
      finished();
    });
    // The file itself is the body: the console streams it on without parsing or copying it.
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.setRequestHeader("X-File-Name", encodeURIComponent(job.file.name));
    if (job.file.type) xhr.setRequestHeader("X-File-Type", job.file.type);
    setState(job.item, "uploading", "Uploading 0%");
    xhr.send(job.file);
  }

  function pump() {
    while (running < PARALLEL && queue.length) {
      running += 1;
      send(queue.shift());
    }
  }

  function enqueue(job) {
    queue.push(job);
    pump();
  }

  function addFiles(form, files) {
    var list = document.getElementById("upload-queue");
    if (!list) return;
    var maxFiles = Number(form.dataset.maxFiles || 0);
    Array.prototype.forEach.call(files, function (file, index) {
      var item = addItem(list, file);
      var job = { form: form, file: file, item: item };
      var reason = refusal(form, file);
      if (!reason && maxFiles && index >= maxFiles) reason = "More than " + maxFiles + " files at once.";
      if (reason) {
        fail(job, reason, false);
      } else {
        enqueue(job);
      }
    });
  }

  function uploadForm(target) {
    return target && target.closest ? target.closest("#upload-form") : null;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || form.id !== "upload-form") return;
    event.preventDefault();
    var input = form.querySelector("input[type=file]");
    if (input && input.files.length) {
      addFiles(form, input.files);
      input.value = "";
    }
  });

  document.addEventListener("change", function (event) {
    var input = event.target;
    var form = uploadForm(input);
    if (!form || input.type !== "file" || !input.files.length) return;
    addFiles(form, input.files);
    input.value = "";
  });

  ["dragenter", "dragover"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var zone = event.target.closest && event.target.closest("#upload-dropzone");
      if (!zone) return;
      event.preventDefault();
      zone.classList.add("is-dragging");
    });
  });

  document.addEventListener("dragleave", function (event) {
    var zone = event.target.closest && event.target.closest("#upload-dropzone");
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("is-dragging");
  });

  document.addEventListener("drop", function (event) {
    var zone = event.target.closest && event.target.closest("#upload-dropzone");
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("is-dragging");
    if (event.dataTransfer && event.dataTransfer.files.length) addFiles(uploadForm(zone), event.dataTransfer.files);
  });

  // With this script the files start as soon as they are chosen; the button is for the plain form.
  function enhance(root) {
    var form = (root || document).querySelector ? (root || document).querySelector("#upload-form") : null;
    if (!form || form.dataset.enhanced) return;
    form.dataset.enhanced = "1";
    var button = form.querySelector("#upload-submit");
    if (button) button.classList.add("hidden");
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
  if (document.readyState !== "loading") enhance(document);
})();
