// Added by `trombino serve` to the pages it serves (never to built files).
// Listens to the server's build events: after a good build that changed the
// site, reloads this tab (as soon as its own page is written: the server
// rebuilds the pages open in tabs first, told which by the stream's ?page=);
// after a failed one, lists the errors over the last good page until they are
// fixed.
(function () {
  "use strict";
  var script = document.currentScript;
  var shown = script ? script.getAttribute("data-build") : null;
  var overlay = null;
  var dismissed = null;

  function hide() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  function show(state) {
    var key = state.errors.join("\n");
    if (dismissed === key) return;
    hide();
    overlay = document.createElement("section");
    overlay.id = "trombino-serve-errors";
    overlay.setAttribute("role", "alert");
    overlay.setAttribute("aria-label", "Build errors");
    var head = document.createElement("header");
    var title = document.createElement("strong");
    title.textContent = state.errors.length === 1 ? "Build failed: 1 error" : "Build failed: " + state.errors.length + " errors";
    var note = document.createElement("span");
    note.textContent = state.ready ? "This page is the last good build. Fix the file and save: this goes away." : "Nothing built yet. Fix the file and save.";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Hide";
    close.addEventListener("click", function () {
      dismissed = key;
      hide();
    });
    head.append(title, note, close);
    var list = document.createElement("ol");
    state.errors.forEach(function (text) {
      var item = document.createElement("li");
      var code = document.createElement("code");
      code.textContent = text;
      item.append(code);
      list.append(item);
    });
    overlay.append(head, list);
    document.body.append(overlay);
  }

  function update(state) {
    if (!state.ok) {
      show(state);
      return;
    }
    dismissed = null;
    hide();
    // Pages open in tabs are written first, ahead of the rest of the build.
    var ahead = state.ahead && state.ahead_pages.indexOf(location.pathname) >= 0;
    if (state.ready && (ahead ? state.ahead : state.build) !== shown) {
      location.reload();
    }
  }

  if (window.EventSource) {
    var events = new EventSource("/__trombino__/events?page=" + encodeURIComponent(location.pathname));
    events.onmessage = function (message) {
      update(JSON.parse(message.data));
    };
  } else {
    (function poll() {
      fetch("/__trombino__/status", { cache: "no-store" })
        .then(function (response) { return response.json(); })
        .then(update)
        .catch(function () {})
        .then(function () { setTimeout(poll, 1000); });
    })();
  }
})();
