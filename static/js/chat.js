// Chat: the message form is posted with fetch, and its response is the answer as it streams in
// (server-sent events: "turn", or "answer" for a retry, with the markup to fill in; then "tool",
// "block" (finished Markdown blocks, added), "delta" (the block being written, rendered, replacing
// the one before), "more" (plain text added after a long open block) and "failure" into their
// places, "interrupted" (a restart cut the answer off: its
// note and Retry replace Stop), and "done"). Stop ends that request (the console then closes its
// request to the gateway) and shows Retry; so does a lost connection. Also: Enter
// sends, Send waits for the answer in progress, and the newest answer stays in view.
// Without JavaScript the form posts normally and the page says answers need JavaScript.
(function () {
  "use strict";

  // event -> [id prefix of the element it changes, how]
  var TARGETS = {
    tool: ["chat-tools-", "innerHTML"],
    block: ["chat-blocks-", "beforeend"],
    delta: ["chat-tail-", "innerHTML"],
    failure: ["chat-status-", "innerHTML"]
  };
  var requests = new WeakMap(); // a turn's .chat-stream element -> the AbortController of its request

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

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

  function refresh() {
    updateSend();
    follow();
  }

  // Stop following the answer when the reader scrolls up; resume at the bottom.
  document.addEventListener("scroll", function (event) {
    var log = event.target;
    if (!log || log.id !== "chat-log") return;
    log.dataset.follow = log.scrollHeight - log.scrollTop - log.clientHeight < 120 ? "on" : "off";
  }, true);

  // Calls onEvent(name, data) for each server-sent event of the response body; comments are skipped.
  async function readEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) return;
      buffer += decoder.decode(chunk.value, { stream: true });
      var end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        var name = "";
        var data = [];
        buffer.slice(0, end).split("\n").forEach(function (line) {
          if (line.startsWith("event:")) name = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(line.charAt(5) === " " ? 6 : 5));
        });
        buffer = buffer.slice(end + 2);
        if (name) onEvent(name, data.join("\n"));
      }
    }
  }

  // Replace a turn's stream element (and so its Stop button) with the console's note and Retry,
  // ending the answer's request first: "stopped" by the user, or "dropped" with the connection.
  function endStream(stream, reason) {
    if (!stream || !stream.isConnected || stream.dataset.ending) return;
    stream.dataset.ending = reason;
    var request = requests.get(stream);
    if (request) request.abort();
    htmx.ajax("POST", stream.dataset.stopUrl, {
      source: stream, target: stream, swap: "outerHTML", values: reason === "dropped" ? { reason: "dropped" } : {}
    });
  }

  // POST to url; when the answer starts, place(html, response) puts the first event's markup in the page.
  // Resolves to the response (or null when the console could not be reached) and whether it streamed.
  async function streamAnswer(url, body, place) {
    var controller = new AbortController();
    var response;
    try {
      response = await fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        signal: controller.signal,
        headers: { Accept: "text/event-stream", "X-CSRFToken": csrfToken(), "HX-Request": "true" }
      });
    } catch (error) {
      return { response: null, streamed: false };
    }
    if (!response.ok || !(response.headers.get("Content-Type") || "").startsWith("text/event-stream")) {
      return { response: response, streamed: false };
    }
    var token = response.headers.get("X-Chat-Turn") || "";
    var stream = null;
    var done = false;
    try {
      await readEvents(response, function (name, data) {
        if (name === "turn" || name === "answer") {
          place(data, response);
          stream = document.querySelector('.chat-stream[data-token="' + CSS.escape(token) + '"]');
          if (stream) requests.set(stream, controller);
        } else if (name === "interrupted") {
          done = true;
          if (stream && stream.isConnected) htmx.swap(stream, data, { swapStyle: "outerHTML" });
          stream = null;
        } else if (name === "done") {
          done = true;
          if (stream) stream.remove();
        } else if (name === "more") {
          // Plain text after a long open block, until it is rendered again: kept in one span.
          var tail = document.getElementById("chat-tail-" + token);
          if (tail) {
            var more = tail.querySelector(":scope > .chat-more");
            if (!more) {
              more = document.createElement("span");
              more.className = "chat-more";
              tail.appendChild(more);
            }
            more.insertAdjacentHTML("beforeend", data);
          }
        } else if (TARGETS[name]) {
          var target = document.getElementById(TARGETS[name][0] + token);
          if (target) htmx.swap(target, data, { swapStyle: TARGETS[name][1] });
        }
        refresh();
      });
    } catch (error) {
      // Stop aborted the request, or the connection was lost: told apart below.
    }
    if (!done && stream && !controller.signal.aborted) endStream(stream, "dropped");
    refresh();
    return { response: response, streamed: true };
  }

  // Say why nothing was sent, where the user is: the console's own words if it sent them in place.
  async function notSent(result, errors) {
    var response = result.response;
    var target = response && response.headers.get("HX-Retarget");
    if (target && document.querySelector(target)) {
      htmx.swap(target, await response.text(), { swapStyle: response.headers.get("HX-Reswap") || "innerHTML" });
      return;
    }
    var note = document.createElement("p");
    note.className = "field-error chat-form-error";
    note.setAttribute("role", "alert");
    note.textContent = response
      ? "The console refused the message (HTTP " + response.status + "). Your text is kept: reload the page and send it again."
      : "The console could not be reached. Your text is kept: send it again when the connection is back.";
    errors.replaceChildren(note);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || form.id !== "chat-form") return;
    event.preventDefault();
    if (streaming()) return;
    var box = document.getElementById("chat-message");
    var errors = document.getElementById("chat-form-errors");
    var log = document.getElementById("chat-log");
    var send = document.getElementById("chat-send");
    if (send) send.disabled = true;
    streamAnswer(form.action, new FormData(form), function (html, response) {
      box.value = "";
      errors.replaceChildren();
      log.dataset.follow = "on";
      htmx.swap(log, html, { swapStyle: "beforeend" });
      var url = response.headers.get("X-Conversation-Url");
      // The new-conversation page has become the conversation's: its URL, not another history entry
      // (Back would show the URL of a page that is no longer there).
      if (url) history.replaceState(history.state, "", url);
    }).then(function (result) {
      if (!result.streamed) notSent(result, errors);
      updateSend();
    });
  });

  document.addEventListener("click", function (event) {
    var stop = event.target.closest ? event.target.closest(".chat-stop") : null;
    if (stop) {
      endStream(stop.closest(".chat-stream"), "stopped");
      return;
    }
    var retry = event.target.closest ? event.target.closest(".chat-retry") : null;
    if (!retry || retry.disabled || streaming()) return;
    var turn = retry.closest(".chat-turn");
    retry.disabled = true;
    streamAnswer(retry.dataset.retryUrl, null, function (html) {
      document.getElementById("chat-log").dataset.follow = "on";
      htmx.swap(turn, html, { swapStyle: "outerHTML" });
    }).then(function (result) {
      if (!result.streamed) {
        retry.disabled = false;
        notSent(result, document.getElementById("chat-form-errors"));
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.target.id !== "chat-message" || event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    var form = document.getElementById("chat-form");
    var send = document.getElementById("chat-send");
    if (form && send && !send.disabled && event.target.value.trim()) form.requestSubmit(send);
  });

  document.addEventListener("htmx:afterSettle", refresh);
  document.addEventListener("DOMContentLoaded", refresh);
})();
