// The kelurahan planner page: ask /api/kelurahan/<code>/rank for the plan (without the sensitivity
// runs, so "Hitung" answers at once) and show it: every RT with its reason, the map coloured by
// priority with the chosen RTs outlined and named in the legend; the sensitivity on request.
(function () {
  var form = document.getElementById("plan-form");
  if (!form || !window.pkPlanner) { return; }
  var P = window.pkPlanner;
  var code = form.dataset.code, lang = form.dataset.lang, root = window.pkRoot || "";
  var text = JSON.parse(document.getElementById("pk-text").textContent);
  var COLORS = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"], EXCLUDED = "#d9d9d9", CHOSEN = "#08519c";
  function byId(id) { return document.getElementById(id); }
  function fmt(x) { return window.pkFormat.number(x, lang, 2); }

  // Five equal classes between the lowest and the highest priority of the ranked RTs.
  function classes(ranking) {
    var ps = ranking.filter(function (r) { return r.eligible; }).map(function (r) { return r.priority; });
    if (!ps.length) { return null; }
    var lo = Math.min.apply(null, ps), hi = Math.max.apply(null, ps), step = (hi - lo) / COLORS.length || 1;
    return {lo: lo, step: step, color: function (p) {
      return COLORS[Math.min(COLORS.length - 1, Math.max(0, Math.floor((p - lo) / step)))];
    }};
  }
  function swatch(parent, fill, border, label) {
    var row = document.createElement("div"), box = document.createElement("i");
    box.className = "pk-swatch"; box.style.background = fill; box.style.borderColor = border;
    row.appendChild(box); row.appendChild(document.createTextNode(label)); parent.appendChild(row);
  }
  function paintMap(plan) {
    var m = window.pkPlanMap;
    if (!m) { return; }
    var byKey = {}, chosen = [];
    plan.ranking.forEach(function (r) {
      byKey[r.unit_number + "/" + r.rt_number] = r;
      if (r.chosen) { chosen.push(r.rt_label); }
    });
    var cls = classes(plan.ranking);
    m.layer.setStyle(function (feature) {
      var r = byKey[feature.properties.unit_number + "/" + feature.properties.rt_number];
      var fill = r && r.eligible && cls ? cls.color(r.priority) : EXCLUDED;
      var on = r && r.chosen;
      return {fillColor: fill, fillOpacity: 0.75, weight: on ? 5 : 1, color: on ? CHOSEN : "#555555"};
    });
    var box = P.legendBody(m.legend, text.legend);
    box.innerHTML = "";
    var title = document.createElement("b"); title.textContent = text.priority_legend; box.appendChild(title);
    if (cls) {
      for (var i = COLORS.length - 1; i >= 0; i -= 1) {
        swatch(box, COLORS[i], "#555555", fmt(cls.lo + i * cls.step) + " \u2013 " + fmt(cls.lo + (i + 1) * cls.step));
      }
    }
    swatch(box, EXCLUDED, "#555555", text.excluded_legend);
    swatch(box, "transparent", CHOSEN, text.chosen_legend);
    var names = document.createElement("div"); names.className = "pk-plan-chosen"; box.appendChild(names);
    P.legendChosen(names, chosen, text);
    P.legendSummary(m.legend, text.legend + " \u00b7 " + text.chosen_legend + " (" + chosen.length + ")");
  }
  function showTable(plan) {
    var body = document.querySelector("#plan-table tbody");
    body.innerHTML = "";
    plan.ranking.forEach(function (r) {
      var tr = document.createElement("tr");
      tr.dataset.reason = r.reason_code;
      if (r.chosen) { tr.className = "chosen"; }
      P.cell(tr, "#", r.rank || "-", "num pk-rank"); P.cell(tr, text.rt, r.rt_label, "pk-rt");
      P.cell(tr, text.priority, P.dec(r.priority, 3, lang), "num");
      P.cell(tr, text.kumuh_score, r.kumuh_total + (r.kumuh_level_label ? " (" + r.kumuh_level_label + ")" : ""), "num");
      P.cell(tr, text.cost, P.idr(r.cost_idr, lang), "num pk-cost");
      P.cell(tr, text.chosen, r.chosen ? "\u2714" : "\u2013", "pk-chosen");
      P.cell(tr, text.reason, r.why, "pk-why");
      body.appendChild(tr);
    });
  }
  function ask(sensitivity) {
    var p = P.params(form, lang, sensitivity);
    return P.getJson(root + "/api/kelurahan/" + code + "/rank?" + p.toString());
  }
  function run(event) {
    if (event) { event.preventDefault(); }
    byId("plan-summary").textContent = text.computing;
    ask(false).then(function (plan) {
      if (!plan.ranking) { byId("plan-summary").textContent = plan.detail; return; }
      showTable(plan);
      byId("plan-summary").textContent = text.chosen + ": " + plan.chosen + " RT \u00b7 " +
        text.total_cost + ": " + P.idr(plan.total_cost_idr, lang) + " / " + P.idr(plan.budget_idr, lang);
      P.showSensitivity(byId("plan-sensitivity"), plan, text);
      paintMap(plan);
    });
  }
  function runSensitivity() {
    var list = byId("plan-sensitivity");
    list.innerHTML = "";
    var li = document.createElement("li"); li.textContent = text.sens_computing; list.appendChild(li);
    ask(true).then(function (plan) {
      if (!plan.ranking) { li.textContent = plan.detail; return; }
      P.showSensitivity(list, plan, text);
    });
  }
  form.addEventListener("submit", run);
  byId("plan-sens-run").addEventListener("click", runSensitivity);
  run();
})();
