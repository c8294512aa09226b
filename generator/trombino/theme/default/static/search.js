// trombino search page: lunr.js over the indexes prebuilt by trombino/search.py.
// How it works, and why, is in docs/search.md. Nothing here talks to any server:
// the indexes are scripts next to the page, loaded with <script src>.
(function () {
  "use strict";
  var store = (window.trombinoSearch = window.trombinoSearch || {});

  // --- terms: identical to terms() in trombino/search.py ---------------------
  var SPECIAL = { "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D", "ı": "i" };
  var SPECIAL_RE = /[ßæÆœŒøØłŁđĐþÞðÐı]/g;
  var MARKS_RE = /\p{Mn}/gu;
  // Python's str.casefold() differs from toLowerCase() on these (after NFKD).
  var CASEFOLD_RE = /[ßς]/g;
  var CASEFOLD = { "ß": "ss", "ς": "σ" };
  var WORD_RE = /(?<![\p{L}\p{N}.])\.[\p{L}\p{N}]+|[\p{L}\p{N}]+(?:\+\+|\+|#)?/gu;
  var LETTERS_RE = /^\p{L}+$/u;
  var SYMBOLS = [["++", "plusplus"], ["+", "plus"], ["#", "sharp"]];

  function fold(text) {
    return text.replace(SPECIAL_RE, function (c) { return SPECIAL[c]; })
      .normalize("NFKD").replace(MARKS_RE, "").toLowerCase()
      .replace(CASEFOLD_RE, function (c) { return CASEFOLD[c]; });
  }

  function endsWith(word, suffixes) {
    return suffixes.some(function (s) { return word.slice(-s.length) === s; });
  }

  function singular(word) {
    if (Array.from(word).length <= 3 || !LETTERS_RE.test(word)) return word;
    if (endsWith(word, ["ies"]) && !endsWith(word, ["eies", "aies"])) return word.slice(0, -3) + "y";
    if (endsWith(word, ["es"]) && !endsWith(word, ["aes", "ees", "oes"])) return word.slice(0, -1);
    if (endsWith(word, ["s"]) && !endsWith(word, ["us", "ss"])) return word.slice(0, -1);
    return word;
  }

  function terms(text) {
    var words = fold(text).match(WORD_RE) || [];
    return words.map(function (word) {
      if (word[0] === ".") return "dot" + word.slice(1);
      var last = word[word.length - 1];
      if (last === "+" || last === "#") {
        for (var i = 0; i < SYMBOLS.length; i++) {
          if (endsWith(word, [SYMBOLS[i][0]])) return word.slice(0, -SYMBOLS[i][0].length) + SYMBOLS[i][1];
        }
      }
      return singular(word);
    });
  }

  function trombinoTerms(token) {
    return terms(token.toString()).map(function (term) {
      return token.clone(function () { return term; });
    });
  }

  // --- the compact index → lunr's serialised index --------------------------
  // The file holds, per document and field, term numbers (as gaps) each
  // followed by -count when above 1; lunr's serialisation holds postings and
  // BM25-scored field vectors. Rebuilt here with lunr.Builder's formula
  // (lib/builder.js, createFieldVectors), operations in the same order.
  var NO_METADATA = {}; // lunr only reads a posting's metadata (MatchData copies it): one object serves all
  function expand(compact) {
    var fields = compact.fields, fieldCount = fields.length, vectors = compact.vectors, vocabulary = compact.terms;
    var docCount = vectors.length, k1 = compact.k1, b = compact.b, boosts = compact.boosts;
    var postings = new Array(vocabulary.length);
    for (var t = 0; t < vocabulary.length; t++) {
      var posting = { _index: t };
      for (var f = 0; f < fieldCount; f++) posting[fields[f]] = {};
      postings[t] = posting;
    }
    var withTerm = new Uint32Array(vocabulary.length);
    var lengths = new Uint32Array(docCount * fieldCount);
    var totals = new Float64Array(fieldCount);
    var doc, list, term, length, i, value;
    for (doc = 0; doc < docCount; doc++) {
      for (f = 0; f < fieldCount; f++) {
        list = vectors[doc][f];
        term = 0;
        length = 0;
        for (i = 0; i < list.length; i++) {
          value = list[i];
          if (value < 0) { length += -value - 1; continue; }
          term += value;
          length += 1;
          postings[term][fields[f]][doc] = NO_METADATA;
          withTerm[term] += 1;
        }
        lengths[doc * fieldCount + f] = length;
        totals[f] += length;
      }
    }
    var idf = new Float64Array(vocabulary.length);
    for (t = 0; t < vocabulary.length; t++) idf[t] = Math.log(1 + Math.abs((docCount - withTerm[t] + 0.5) / (withTerm[t] + 0.5)));
    var fieldVectors = new Array(docCount * fieldCount);
    for (doc = 0; doc < docCount; doc++) {
      var docBoost = compact.docBoosts[doc] || 1;
      for (f = 0; f < fieldCount; f++) {
        list = vectors[doc][f];
        var norm = k1 * (1 - b + b * (lengths[doc * fieldCount + f] / (totals[f] / docCount)));
        var elements = [];
        term = 0;
        for (i = 0; i < list.length; i++) {
          value = list[i];
          if (value < 0) continue;
          term += value;
          var tf = i + 1 < list.length && list[i + 1] < 0 ? -list[i + 1] : 1;
          var score = idf[term] * ((k1 + 1) * tf) / (norm + tf);
          score *= boosts[f];
          score *= docBoost;
          elements.push(term, Math.round(score * 1000) / 1000);
        }
        fieldVectors[doc * fieldCount + f] = [fields[f] + "/" + doc, elements];
      }
    }
    // lunr's token set wants its words in JavaScript's sort order.
    var order = vocabulary.map(function (word, n) { return n; }).sort(function (x, y) {
      return vocabulary[x] < vocabulary[y] ? -1 : vocabulary[x] > vocabulary[y] ? 1 : 0;
    });
    return {
      version: compact.version,
      fields: fields,
      fieldVectors: fieldVectors,
      invertedIndex: order.map(function (n) { return [vocabulary[n], postings[n]]; }),
      pipeline: compact.pipeline
    };
  }

  // Exposed for the browser tests and the benchmark (they compare it with search.py).
  store.engine = { fold: fold, terms: terms, expand: expand };

  var app = document.getElementById("search");
  if (!app || !window.lunr) return;
  lunr.Pipeline.registerFunction(trombinoTerms, "trombinoTerms");

  // --- page state -------------------------------------------------------------
  var PEOPLE_STEP = 20, UPDATES_STEP = 10;
  var FILTERS = ["team", "location", "availability", "open_to"];
  // Words that never decide whether a result matches ("head of data" needs head
  // and data; "who can help with kubernetes" needs kubernetes): they still count
  // for ranking. Folded, as terms() gives them.
  var STOP = new Set(("a an and are as at by can for from how i in is me my of on or the to who whom what where which with " +
    "know help someone anyone au aux avec d de des du en est et l la le les ou par pour qui sur un une connait aide aider peut quelqu").split(" "));
  var root = document.body.getAttribute("data-root") || "";
  var lang = document.documentElement.lang || "en";
  var plural = new Intl.PluralRules(lang);
  var numbers = new Intl.NumberFormat(lang);
  var dates = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : lang, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  var input = document.getElementById("search-q");
  var form = app.querySelector("form");
  var status = document.getElementById("search-status");
  var peopleBox = document.getElementById("search-people");
  var updatesBox = document.getElementById("search-updates");
  var selects = {};
  FILTERS.forEach(function (name) { selects[name] = form.elements[name]; });
  var chunkNames = JSON.parse(app.getAttribute("data-updates") || "[]");

  var people = null; // {index, docs, teams, ancestors}
  var chunks = []; // loaded update chunks: {index, docs}
  var loading = false, loadFailed = false;
  var shown = { people: PEOPLE_STEP, updates: UPDATES_STEP };
  var pending = 0;

  function msg(key, values) {
    var text = app.getAttribute("data-m-" + key.replace(".", "-")) || key;
    return text.replace(/\{(\w+)\}/g, function (m, name) { return values && name in values ? values[name] : m; });
  }
  function count(key, n) {
    return msg(key + "." + (plural.select(n) === "one" ? "one" : "other"), { count: numbers.format(n) });
  }
  // From file://, a folder URL shows a listing: link to its index.html (as trombino.js does).
  function pageUrl(path) {
    return root + path + (location.protocol === "file:" ? "index.html" : "");
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // --- loading ------------------------------------------------------------------
  function loadIndex(data) {
    return { lunr: lunr.Index.load(expand(data.index)), prefixFields: data.index.prefixFields };
  }

  function loadPeople() {
    var data = store.people;
    if (!data) { fail(); return; }
    var ancestors = data.teams.map(function (team) {
      var chain = [], seen = {}, current = team;
      while (current && !seen[current.s]) {
        seen[current.s] = true;
        chain.push(current.s);
        current = data.teams.find(function (t) { return t.s === current.p; });
      }
      return chain;
    });
    people = { index: loadIndex(data), docs: data.docs, teams: data.teams, ancestors: ancestors };
  }

  function loadNextChunk() {
    if (loading || chunks.length >= chunkNames.length) return;
    loading = true;
    var name = chunkNames[chunks.length];
    var script = document.createElement("script");
    script.src = app.getAttribute("data-index-folder") + name;
    script.onload = function () {
      var data = store[name.split(".")[0]];
      loading = false;
      if (!data) { loadFailed = true; render(); return; }
      chunks.push({ index: loadIndex(data), docs: data.docs });
      render();
    };
    script.onerror = function () { loading = false; loadFailed = true; render(); };
    document.head.appendChild(script);
  }

  function fail() {
    status.textContent = msg("search_load_error");
    app.classList.add("is-broken");
  }

  // --- querying -------------------------------------------------------------------
  function parse(text) {
    var list = people.index.lunr.pipeline.run(lunr.tokenizer(text)).map(String);
    return list.filter(function (t, i) { return t && list.indexOf(t) === i; });
  }

  function covers(matched, term) {
    return matched.some(function (m) { return m === term || (term.length > 1 && m.lastIndexOf(term, 0) === 0); });
  }

  // Scores every hit and counts how many of the needed words it matches
  // (as a word or, as you type, a prefix); run() keeps the best-covered hits.
  function search(index, words) {
    var results = index.lunr.query(function (query) {
      words.forEach(function (term) {
        query.term(term, { usePipeline: false, boost: 10 });
        // Prefixes as you type, in the short fields: in bios and bodies, whole words
        // only, or a two-letter prefix would touch every document.
        if (term.length > 1) query.term(term, { usePipeline: false, boost: 1, wildcard: lunr.Query.wildcard.TRAILING, fields: index.prefixFields });
      });
    });
    var needed = neededWords(words);
    results.forEach(function (r) {
      var matched = Object.keys(r.matchData.metadata);
      r.covered = needed.filter(function (t) { return covers(matched, t); }).length;
    });
    return results;
  }

  function neededWords(words) {
    var needed = words.filter(function (t) { return !STOP.has(t); });
    return needed.length ? needed : words;
  }

  function filterValues() {
    var values = {};
    FILTERS.forEach(function (name) { if (selects[name] && selects[name].value) values[name] = selects[name].value; });
    return values;
  }

  function personPasses(doc, filters) {
    if (filters.team && !doc.m.some(function (t) { return people.ancestors[t].indexOf(filters.team) >= 0; })) return false;
    if (filters.location && doc.l !== filters.location) return false;
    if (filters.availability && doc.a !== filters.availability) return false;
    if (filters.open_to && doc.o.indexOf(filters.open_to) < 0) return false;
    return true;
  }

  function updatePasses(doc, filters) {
    var author = people.docs[doc.a];
    if (!author) return !Object.keys(filters).length;
    if (filters.team && doc.m >= 0 && people.ancestors[doc.m].indexOf(filters.team) >= 0) {
      filters = Object.assign({}, filters, { team: "" });
    }
    return personPasses(author, filters);
  }

  function run(text, filters) {
    var words = parse(text);
    var result = { words: words, people: [], updates: [], complete: true };
    if (!words.length) {
      if (Object.keys(filters).length) {
        result.people = people.docs.filter(function (d) { return !d.f && personPasses(d, filters); });
      }
      return result;
    }
    // Every needed word must match; when no result has them all, those
    // matching the most words are shown, with a note saying so.
    var found = search(people.index, words).map(function (r) { return { doc: people.docs[r.ref], score: r.score, covered: r.covered }; })
      .filter(function (hit) { return personPasses(hit.doc, filters); });
    var updates = [];
    chunks.forEach(function (chunk) {
      search(chunk.index, words).forEach(function (r) {
        var doc = chunk.docs[r.ref];
        if (updatePasses(doc, filters)) updates.push({ doc: doc, score: r.score, covered: r.covered });
      });
    });
    var best = Math.max.apply(null, [0].concat(found, updates).map(function (hit) { return hit.covered || 0; }));
    function keep(hits) {
      return hits.filter(function (hit) { return best > 0 && hit.covered === best; })
        .sort(function (x, y) { return y.score - x.score; })
        .map(function (hit) { return hit.doc; });
    }
    result.people = keep(found);
    result.updates = keep(updates);
    result.complete = best === neededWords(words).length;
    return result;
  }

  // --- rendering ------------------------------------------------------------------
  function avatar(doc) {
    if (doc.p) {
      var img = el("img", "avatar");
      img.src = root + doc.p;
      img.alt = "";
      img.width = img.height = 44;
      img.loading = "lazy";
      return img;
    }
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "avatar avatar-initials");
    svg.setAttribute("width", "44");
    svg.setAttribute("height", "44");
    svg.setAttribute("viewBox", "0 0 48 48");
    svg.setAttribute("aria-hidden", "true");
    var circle = document.createElementNS(ns, "rect");
    [["width", "48"], ["height", "48"], ["rx", "24"], ["fill", "hsl(" + doc.h + ", 45%, 42%)"]].forEach(function (a) { circle.setAttribute(a[0], a[1]); });
    var text = document.createElementNS(ns, "text");
    [["x", "24"], ["y", "30.5"], ["text-anchor", "middle"], ["font-size", "17"], ["font-family", "system-ui, sans-serif"], ["font-weight", "600"], ["fill", "#fff"]].forEach(function (a) { text.setAttribute(a[0], a[1]); });
    text.textContent = doc.i;
    svg.appendChild(circle);
    svg.appendChild(text);
    return svg;
  }

  function matchesQuery(label, words) {
    return terms(label).some(function (t) { return words.some(function (w) { return covers([t], w); }); });
  }

  function chips(doc, words) {
    var matching = doc.k.filter(function (k) { return matchesQuery(k[0], words); });
    var list = matching.length ? matching.slice(0, 5) : doc.k.slice(0, 3);
    var box = el("span", "search-chips");
    list.forEach(function (k) {
      var chip = el("span", "chip" + (matching.length ? " is-match" : ""), k[0]);
      if (k[1]) {
        var extra = el("span", "chip-extra", " · " + count("search_evidence_short", k[1]));
        extra.title = count("search_evidence", k[1]);
        chip.appendChild(extra);
      }
      box.appendChild(chip);
    });
    return box;
  }

  function personItem(doc, words) {
    var li = el("li", "search-item");
    var a = el("a", "search-hit");
    a.href = pageUrl("people/" + doc.s + "/");
    a.appendChild(avatar(doc));
    var main = el("span", "search-hit-main");
    var head = el("span", "search-hit-head");
    head.appendChild(el("span", "search-hit-name", doc.n));
    if (doc.f) head.appendChild(el("span", "badge badge-former", msg("search_former")));
    else if (doc.a) head.appendChild(el("span", "badge badge-" + doc.a, msg("status_" + doc.a)));
    main.appendChild(head);
    var meta = [doc.t].concat(doc.m.map(function (t) { return people.teams[t].n; }), [doc.l]).filter(Boolean);
    if (meta.length) main.appendChild(el("span", "search-hit-meta", meta.join(" · ")));
    if (doc.k.length) main.appendChild(chips(doc, words));
    a.appendChild(main);
    li.appendChild(a);
    return li;
  }

  function updateItem(doc, words) {
    var li = el("li", "search-item");
    var a = el("a", "search-hit search-hit-update");
    a.href = pageUrl("posts/" + doc.r + "/");
    var author = people.docs[doc.a];
    if (author) a.appendChild(avatar(author));
    var main = el("span", "search-hit-main");
    var head = el("span", "search-hit-head");
    head.appendChild(el("span", "search-hit-name", doc.h));
    if (doc.k !== "update") head.appendChild(el("span", "kind kind-" + doc.k, msg("kind_" + doc.k)));
    main.appendChild(head);
    var meta = [author ? author.n : "", dates.format(new Date(doc.d + "T00:00:00Z"))];
    if (doc.m >= 0) meta.push(people.teams[doc.m].n);
    main.appendChild(el("span", "search-hit-meta", meta.filter(Boolean).join(" · ")));
    if (doc.g.length) {
      var box = el("span", "search-chips");
      doc.g.forEach(function (g) { box.appendChild(el("span", "chip" + (matchesQuery(g, words) ? " is-match" : ""), "#" + g)); });
      main.appendChild(box);
    }
    a.appendChild(main);
    li.appendChild(a);
    return li;
  }

  function fill(box, items, limit, make, words) {
    var list = box.querySelector("ul");
    list.textContent = "";
    items.slice(0, limit).forEach(function (doc) { list.appendChild(make(doc, words)); });
    box.querySelector("h2 .search-count").textContent = numbers.format(items.length);
    box.querySelector(".search-more").hidden = items.length <= limit;
    box.hidden = items.length === 0;
  }

  function render() {
    if (!people) return;
    var text = input.value.trim(), filters = filterValues();
    var started = performance.now();
    var result = run(text, filters);
    app.setAttribute("data-query-ms", (performance.now() - started).toFixed(2));
    // A late re-render (the updates arriving) must not drop the focused result.
    var focused = document.activeElement && document.activeElement.classList.contains("search-hit") ? document.activeElement.getAttribute("href") : null;
    fill(peopleBox, result.people, shown.people, personItem, result.words);
    fill(updatesBox, result.updates, shown.updates, updateItem, result.words);
    if (focused) {
      var again = hits().filter(function (a) { return a.getAttribute("href") === focused; })[0];
      if (again) again.focus();
    }
    var notes = [];
    if (!result.words.length && !Object.keys(filters).length) {
      notes.push(msg("search_ready"));
    } else if (!result.people.length && !result.updates.length) {
      var short = result.words.length && result.words.every(function (w) { return w.length < 2; });
      notes.push(short ? msg("search_keep_typing") : text ? msg("search_nothing", { q: text }) : msg("search_nothing_filtered"));
    } else {
      notes.push(count("search_count_people", result.people.length));
      if (result.words.length) notes.push(count("search_count_updates", result.updates.length));
      if (!result.complete) notes.push(msg("search_partial"));
    }
    if (result.words.length && chunkNames.length) {
      if (!chunks.length && !loadFailed) { notes.push(msg("search_loading_updates")); loadNextChunk(); }
      if (loadFailed) notes.push(msg("search_load_error"));
    }
    status.textContent = notes.join(" · ");
    document.getElementById("search-clear").hidden = !Object.keys(filters).length;
    var older = document.getElementById("search-older");
    var olderVisible = result.words.length > 0 && chunks.length > 0 && chunks.length < chunkNames.length;
    older.hidden = !olderVisible;
    if (olderVisible) {
      older.querySelector("span").textContent = msg("search_updates_scope", { count: numbers.format(chunks.reduce(function (n, c) { return n + c.docs.length; }, 0)) });
    }
  }

  function schedule() {
    shown = { people: PEOPLE_STEP, updates: UPDATES_STEP };
    if (pending) return;
    pending = requestAnimationFrame(function () {
      pending = 0;
      render();
      keepInUrl();
    });
  }

  // The query and filters live in the address, so a search can be shared.
  function keepInUrl() {
    var params = new URLSearchParams();
    if (input.value.trim()) params.set("q", input.value.trim());
    var filters = filterValues();
    FILTERS.forEach(function (name) { if (filters[name]) params.set(name, filters[name]); });
    var query = params.toString();
    try {
      history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    } catch (e) { /* file:// pages may refuse: the search still works */ }
  }

  function readUrl() {
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    FILTERS.forEach(function (name) {
      var value = params.get(name), select = selects[name];
      if (select && value && Array.prototype.some.call(select.options, function (o) { return o.value === value; })) select.value = value;
    });
  }

  // --- keyboard: ↓ from the box goes through the results, ↑ comes back -----------
  function hits() {
    return Array.prototype.slice.call(app.querySelectorAll(".search-hit")).filter(function (a) { return a.offsetParent !== null; });
  }

  function move(step) {
    var list = hits(), at = list.indexOf(document.activeElement);
    if (!list.length) return;
    var next = at + step;
    if (next < 0) { input.focus(); return; }
    list[Math.min(next, list.length - 1)].focus();
  }

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { event.preventDefault(); move(1); }
    else if (event.key === "Enter") { event.preventDefault(); keepInUrl(); }
    else if (event.key === "Escape" && input.value) { event.preventDefault(); input.value = ""; schedule(); }
  });
  app.addEventListener("keydown", function (event) {
    if (event.target === input || !event.target.classList.contains("search-hit")) return;
    if (event.key === "ArrowDown") { event.preventDefault(); move(1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
    else if (event.key === "Escape") { event.preventDefault(); input.focus(); }
    else if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) { input.focus(); }
  });
  input.addEventListener("input", schedule);
  // Only the filters: a text box also fires "change" when focus leaves it for a result.
  form.addEventListener("change", function (event) { if (event.target.tagName === "SELECT") schedule(); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  document.getElementById("search-clear").addEventListener("click", function () {
    FILTERS.forEach(function (name) { if (selects[name]) selects[name].value = ""; });
    schedule();
  });
  peopleBox.querySelector(".search-more").addEventListener("click", function () { shown.people += PEOPLE_STEP * 2; render(); });
  updatesBox.querySelector(".search-more").addEventListener("click", function () { shown.updates += UPDATES_STEP * 2; render(); });
  document.getElementById("search-older").querySelector("button").addEventListener("click", loadNextChunk);

  // --- start --------------------------------------------------------------------------
  app.hidden = false;
  var header = document.querySelector(".header-search");
  if (header) header.hidden = true; // this page's own box replaces it
  readUrl();
  try {
    loadPeople();
  } catch (e) {
    fail();
    throw e;
  }
  if (!people) return;
  render();
  input.focus();
})();
