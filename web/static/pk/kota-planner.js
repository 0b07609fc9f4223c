// The city planner page: ask /api/kota/<kota>/rank for one plan across every kelurahan (without the
// sensitivity runs, so "Hitung" answers at once) and show it: the summary and the solver's word on it,
// every RT with its reason, totals per kelurahan, the chosen RTs on the map and named in its legend;
// the sensitivity on request (the server reuses the plan it just made).
(function () {
  var form = document.getElementById("plan-form");
  if (!form || !window.pkPlanner) { return; }
  var P = window.pkPlanner;
  var kota = form.dataset.kota, lang = form.dataset.lang, root = window.pkRoot || "";
  var text = JSON.parse(document.getElementById("pk-text").textContent);
  function byId(id) { return document.getElementById(id); }
  function link(row, label, value, href, cls) {
    var td = P.cell(row, label, "", cls), a = document.createElement("a");
    a.href = href + "?lang=" + lang; a.textContent = value; td.appendChild(a);
  }
  function show(plan) {
    var body = document.querySelector("#plan-table tbody"), chosen = [];
    body.innerHTML = "";
    plan.ranking.forEach(function (r) {
      var tr = document.createElement("tr");
      tr.dataset.reason = r.reason_code;
      if (r.chosen) { tr.className = "chosen"; chosen.push(r.rt_label + ", " + r.kelurahan_name); }
      P.cell(tr, "#", r.rank || "-", "num pk-rank");
      link(tr, text.kelurahan, r.kelurahan_name, r.kelurahan_url); link(tr, text.rt, r.rt_label, r.rt_url, "pk-rt");
      P.cell(tr, text.priority, P.dec(r.priority, 3, lang), "num");
      P.cell(tr, text.kumuh_score, r.kumuh_total + (r.kumuh_level_label ? " (" + r.kumuh_level_label + ")" : ""), "num");
      P.cell(tr, text.cost, P.idr(r.cost_idr, lang), "num pk-cost"); P.cell(tr, text.chosen, r.chosen ? "\u2714" : "\u2013", "pk-chosen");
      P.cell(tr, text.reason, r.why, "pk-why");
      body.appendChild(tr);
    });
    byId("plan-summary").textContent = text.chosen + ": " + plan.chosen + " RT \u00b7 " +
      text.total_cost + ": " + P.idr(plan.total_cost_idr, lang) + " / " + P.idr(plan.budget_idr, lang);
    byId("plan-solver").textContent = plan.solver.text;
    var message = byId("plan-message");
    message.hidden = !plan.message; message.textContent = plan.message || "";
    byId("plan-shown").textContent = text.more.replace("{shown}", plan.ranking.length).replace("{total}", plan.ranking_total);
    var kel = document.querySelector("#plan-kelurahan tbody");
    kel.innerHTML = "";
    plan.kelurahan.forEach(function (k) {
      var tr = document.createElement("tr");
      link(tr, text.kelurahan, k.kelurahan_name, root + "/kelurahan/" + k.kelurahan_code);
      P.cell(tr, text.chosen, k.chosen + " / " + k.eligible, "num"); P.cell(tr, text.cost, P.idr(k.cost_idr, lang), "num");
      kel.appendChild(tr);
    });
    var missing = byId("plan-missing");
    missing.hidden = !plan.missing_baseline.length;
    missing.textContent = text.missing + ": " + plan.missing_baseline.map(function (m) { return m.name; }).join(", ");
    P.showSensitivity(byId("plan-sensitivity"), plan, text);
    if (window.pkPlan) {
      window.pkPlan.show(plan.chosen_geojson);
      P.legendChosen(window.pkPlan.legend && window.pkPlan.legend.querySelector(".pk-plan-chosen"), chosen, text);
    }
  }
  function ask(sensitivity) {
    return P.getJson(root + "/api/kota/" + kota + "/rank?" + P.params(form, lang, sensitivity).toString());
  }
  function run(event) {
    if (event) { event.preventDefault(); }
    byId("plan-summary").textContent = text.computing;
    byId("plan-csv").href = root + "/api/kota/" + kota + "/rank.csv?" + P.params(form, lang, false).toString();
    ask(false).then(function (plan) {
      if (!plan.ranking) {
        byId("plan-summary").textContent = plan.detail;
        byId("plan-solver").textContent = "";
        return;
      }
      show(plan);
    });
  }
  function runSensitivity() {
    var list = byId("plan-sensitivity");
    list.innerHTML = "";
    var li = document.createElement("li"); li.textContent = text.sens_computing; list.appendChild(li);
    ask(true).then(function (plan) {
      if (!plan.ranking) { li.textContent = plan.detail; return; }
      P.showSensitivity(list, plan, text);
      var unproven = plan.sensitivity_unproven || [];
      if (unproven.length) {
        var more = document.createElement("li"); more.className = "muted"; more.textContent = unproven.join(", ");
        list.appendChild(more);
      }
    });
  }
  form.addEventListener("submit", run);
  byId("plan-sens-run").addEventListener("click", runSensitivity);
  run();
})();
