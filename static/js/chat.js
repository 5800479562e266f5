// Chat niceties on top of htmx: Enter sends, Send waits for the answer in progress, the newest answer
// stays in view, and a lost stream connection is reported at once. Streaming, Stop and Retry are plain
// htmx (the SSE extension and hx-post) and work without this file.
(function () {
  "use strict";

  function streaming() {
    return document.querySelector("#chat-log .chat-stream") !== null;
  }

  function updateSend() {
    var send = document.getElementById("chat-send");
    if (send) send.disabled = streaming();
  }

  function follow() {
    var log = document.getElementById("chat-log");
    if (log && log.dataset.follow !== "off") log.scrollTop = log.scrollHeight;
  }

  // Stop following the answer when the reader scrolls up; resume at the bottom.
  document.addEventListener("scroll", function (event) {
    var log = event.target;
    if (!log || log.id !== "chat-log") return;
    log.dataset.follow = log.scrollHeight - log.scrollTop - log.clientHeight < 120 ? "on" : "off";
  }, true);

  // The browser lost the stream: replace it (which closes the EventSource) with a note and Retry,
  // instead of letting the EventSource reconnect to a stream that can only be opened once.
  document.addEventListener("htmx:sseError", function (event) {
    var stream = event.target && event.target.closest ? event.target.closest(".chat-stream") : null;
    if (!stream || !stream.isConnected || !stream.dataset.stopUrl || stream.dataset.lost) return;
    stream.dataset.lost = "1";
    htmx.ajax("POST", stream.dataset.stopUrl, {
      source: stream, target: stream, swap: "outerHTML", values: { reason: "dropped" }
    });
  });

  // A sent message: clear the box (the text stays if the send failed) and follow the new answer.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target;
    if (!form || form.id !== "chat-form" || !event.detail.successful) return;
    var box = document.getElementById("chat-message");
    if (box) box.value = "";
    var errors = document.getElementById("chat-form-errors");
    if (errors) errors.replaceChildren();
    var log = document.getElementById("chat-log");
    if (log) log.dataset.follow = "on";
  });

  function refresh() {
    setTimeout(function () {
      updateSend();
      follow();
    }, 0);
  }
  ["htmx:afterSettle", "htmx:sseMessage", "htmx:sseClose"].forEach(function (name) {
    document.addEventListener(name, refresh);
  });

  document.addEventListener("keydown", function (event) {
    if (event.target.id !== "chat-message" || event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    var form = document.getElementById("chat-form");
    var send = document.getElementById("chat-send");
    if (form && send && !send.disabled && event.target.value.trim()) form.requestSubmit(send);
  });

  document.addEventListener("DOMContentLoaded", function () {
    updateSend();
    follow();
  });
})();
