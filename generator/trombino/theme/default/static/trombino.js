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
      var now = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", timeZone: zone }).format(new Date());
      el.textContent = now + " (" + zone + ")";
    } catch (e) { /* unknown zone in this browser: keep the zone name */ }
  });
})();
