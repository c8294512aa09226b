// trombino default theme script: progressive enhancements only; every page works without it.
(function () {
  "use strict";
  // From file://, folder links show a listing: point them at index.html instead.
  if (location.protocol === "file:") {
    document.querySelectorAll("a[href]").forEach(function (a) {
      var href = a.getAttribute("href");
      if (!/^[a-z][a-z0-9+.-]*:|^\/\/|^#/i.test(href) && /\/(#.*)?$/.test(href)) {
        a.setAttribute("href", href.replace(/\/(#.*)?$/, "/index.html$1"));
      }
    });
  }
  // "3 days ago" next to absolute dates.
  var lang = document.documentElement.lang || "en";
  var rtf = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(lang, { numeric: "auto" }) : null;
  if (rtf) {
    document.querySelectorAll("time.ago").forEach(function (el) {
      var days = Math.round((new Date(el.getAttribute("datetime")) - new Date()) / 86400000);
      var text = Math.abs(days) < 45 ? rtf.format(days, "day") : Math.abs(days) < 540 ? rtf.format(Math.round(days / 30), "month") : rtf.format(Math.round(days / 365), "year");
      el.title = el.textContent;
      el.insertAdjacentText("afterend", " (" + text + ")");
    });
  }
  // A person's local time now.
  document.querySelectorAll(".local-time[data-tz]").forEach(function (el) {
    try {
      var zone = el.getAttribute("data-tz");
      var now = new Intl.DateTimeFormat(lang, { hour: "numeric", minute: "2-digit", timeZone: zone }).format(new Date());
      el.textContent = el.hasAttribute("data-time-only") ? now : now + " (" + zone + ")";
    } catch (e) { /* unknown zone in this browser: keep the zone name */ }
  });
  // Team working-hours strips: a line at the current time on the strip's clock.
  document.querySelectorAll(".hours-grid[data-zone]").forEach(function (grid) {
    try {
      var parts = new Intl.DateTimeFormat("en-GB", { hour: "numeric", minute: "numeric", hourCycle: "h23", timeZone: grid.getAttribute("data-zone") }).formatToParts(new Date());
      var minutes = 0;
      parts.forEach(function (p) { if (p.type === "hour") minutes += 60 * Number(p.value); if (p.type === "minute") minutes += Number(p.value); });
      grid.querySelectorAll(".hours-now").forEach(function (line) {
        line.setAttribute("x1", minutes);
        line.setAttribute("x2", minutes);
        line.setAttribute("visibility", "visible");
      });
    } catch (e) { /* no time zone support: no marker */ }
  });
})();
