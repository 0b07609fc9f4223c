// What both planner pages (kelurahan and kota) share: the budget field grouped as rupiah while typing,
// the weights shown as the effective shares they become, ranking rows that turn into cards on a phone,
// the sensitivity in words, and the chosen RTs named in the map legend.  No inline handlers (CSP).
(function () {
  var LEGEND_NAMES = 12;  // the legend names this many chosen RTs, then "+ n"

  function digits(text) { return String(text || "").replace(/[^0-9]/g, ""); }
  function grouped(text) {
    var d = digits(text).replace(/^0+(?=\d)/, "");
    return d.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }
  var F = window.pkFormat;  // formats.js: the server's number formats (geo/formats.py)
  function idr(x, lang) { return F.rupiah(x, lang); }
  function dec(x, places, lang) { return F.number(x, lang, places); }

  // "1500000" becomes "1.500.000" as it is typed; the caret stays after the same digit.
  function groupInput(input) {
    function apply() {
      var caret = input.selectionStart === null ? input.value.length : input.selectionStart;
      var before = digits(input.value.slice(0, caret)).length;
      var text = grouped(input.value);
      input.value = text;
      var pos = 0, seen = 0;
      while (pos < text.length && seen < before) { if (/\d/.test(text[pos])) { seen += 1; } pos += 1; }
      if (document.activeElement === input) { input.setSelectionRange(pos, pos); }
    }
    input.addEventListener("input", apply);
    apply();
  }

  // Each slider's output shows its share of the sum of all weights: what the plan really uses.
  function shares(form) {
    var ranges = Array.prototype.slice.call(form.querySelectorAll("input[type=range][data-share]"));
    function update() {
      var sum = ranges.reduce(function (s, r) { return s + parseFloat(r.value || "0"); }, 0);
      ranges.forEach(function (r) {
        var out = r.nextElementSibling;
        out.textContent = sum > 0 ? F.percent(parseFloat(r.value) / sum, form.dataset.lang, 0) : "-";
      });
    }
    ranges.forEach(function (r) { r.addEventListener("input", update); });
    update();
  }

  function params(form, lang, sensitivity) {
    var p = new URLSearchParams();
    p.set("budget", digits(form.budget.value));
    form.querySelectorAll("input[type=range]").forEach(function (r) { p.set(r.name, r.value); });
    p.set("legal_only", form.legal_only.checked);
    p.set("slum_only", form.slum_only.checked);
    p.set("sensitivity", sensitivity ? "true" : "false");
    p.set("lang", lang);
    return p;
  }

  // A table cell that also carries its column name, shown before the value when rows are cards.
  function cell(row, label, value, cls) {
    var td = document.createElement("td");
    td.textContent = value;
    td.dataset.label = label;
    if (cls) { td.className = cls; }
    row.appendChild(td);
    return td;
  }

  function showSensitivity(list, plan, text) {
    list.innerHTML = "";
    var lines = plan.sensitivity_run ? plan.sensitivity_text : [text.not_run];
    lines.forEach(function (line) {
      var li = document.createElement("li"); li.textContent = line; list.appendChild(li);
    });
  }

  // "RT terpilih: RT 001 / RW 002, ..." inside the map legend.
  function legendChosen(box, labels, text) {
    if (!box) { return; }
    box.innerHTML = "";
    var head = document.createElement("div");
    head.className = "pk-legend-chosen-head";
    head.textContent = text.chosen_legend + " (" + labels.length + ")";
    box.appendChild(head);
    var list = document.createElement("div");
    list.className = "pk-legend-chosen-list";
    var shown = labels.slice(0, LEGEND_NAMES);
    list.textContent = labels.length ? shown.join("; ") + (labels.length > shown.length ? "; + " + (labels.length - shown.length) : "")
      : text.none_chosen;
    box.appendChild(list);
  }

  // The legend folds away (a <details>): open on a wide screen, closed on a phone so the map shows.
  var NARROW = 760;
  function legendBody(container, title) {
    var details = container.querySelector("details.pk-legend-fold");
    if (!details) {
      details = document.createElement("details");
      details.className = "pk-legend-fold";
      details.open = window.innerWidth > NARROW;
      var summary = document.createElement("summary");
      summary.textContent = title;
      var body = document.createElement("div");
      body.className = "pk-legend-body";
      details.appendChild(summary); details.appendChild(body);
      container.innerHTML = ""; container.appendChild(details);
      L.DomEvent.disableClickPropagation(container);
    }
    return details.querySelector(".pk-legend-body");
  }
  function legendSummary(container, text) {
    var summary = container.querySelector("details.pk-legend-fold > summary");
    if (summary) { summary.textContent = text; }
  }
  function foldServerLegends() {  // legends drawn by the server (the city map): fold them the same way
    document.querySelectorAll(".pk-plan-legend details.pk-legend-fold").forEach(function (d) {
      d.open = window.innerWidth > NARROW;
    });
  }

  function getJson(url) {
    return fetch(url).then(function (r) { return r.json(); });
  }

  document.querySelectorAll("input[data-rupiah]").forEach(groupInput);
  document.querySelectorAll("form#plan-form").forEach(shares);
  foldServerLegends();
  window.pkPlanner = {
    idr: idr, dec: dec, digits: digits, params: params, cell: cell, showSensitivity: showSensitivity,
    legendChosen: legendChosen, legendBody: legendBody, legendSummary: legendSummary, getJson: getJson
  };
})();
