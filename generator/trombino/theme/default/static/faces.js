// Faces page: filter the trombinoscope by team and location, in the browser.
// Without this script every face shows and the filter form stays hidden.
// The choice is kept in the URL (?team=…&location=…), so a filtered page can be shared or printed.
(function () {
  "use strict";
  var form = document.getElementById("faces-filters");
  if (!form) return;
  var team = form.elements.team;
  var place = form.elements.location;
  var status = form.querySelector(".faces-status");
  var sections = Array.prototype.slice.call(document.querySelectorAll(".faces-team"));
  var number = window.Intl ? new Intl.NumberFormat(document.documentElement.lang || "en") : null;

  function choose(select, value) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) { select.value = value; return; }
    }
  }

  function apply() {
    var people = {};
    sections.forEach(function (section) {
      var shown = 0;
      var teamMatches = !team.value || section.getAttribute("data-team") === team.value;
      section.querySelectorAll(".face").forEach(function (face) {
        var visible = teamMatches && (!place.value || face.getAttribute("data-location") === place.value);
        face.hidden = !visible;
        if (visible) {
          shown += 1;
          people[face.querySelector("a").getAttribute("href")] = true;
        }
      });
      section.hidden = shown === 0;
    });
    var count = Object.keys(people).length;
    var text = status.getAttribute(count === 1 || (count === 0 && document.documentElement.lang === "fr") ? "data-one" : "data-other");
    status.textContent = text.replace("{count}", number ? number.format(count) : String(count));
    var params = new URLSearchParams();
    if (team.value) params.set("team", team.value);
    if (place.value) params.set("location", place.value);
    var query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
  }

  var wanted = new URLSearchParams(location.search);
  choose(team, wanted.get("team") || "");
  choose(place, wanted.get("location") || "");
  form.hidden = false;
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  apply();
})();
