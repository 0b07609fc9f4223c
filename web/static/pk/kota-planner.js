// The city planner page: ask /api/kota/<kota>/rank for one plan across every kelurahan and show it:
// the summary and the solver's word on it, the ranked table, totals per kelurahan, the chosen RTs on the map.
(function () {
  var form = document.getElementById("plan-form");
  if (!form) { return; }
  var kota = form.dataset.kota, lang = form.dataset.lang, root = window.pkRoot || "";
  var text = JSON.parse(document.getElementById("pk-text").textContent);
  function idr(x) { return "Rp " + Math.round(x).toLocaleString("id-ID"); }
  function byId(id) { return document.getElementById(id); }
  function cell(row, value, cls) {
    var td = document.createElement("td"); td.textContent = value; if (cls) { td.className = cls; } row.appendChild(td);
    return td;
  }
  function link(row, label, href) {
    var td = document.createElement("td"), a = document.createElement("a");
    a.href = href + "?lang=" + lang; a.textContent = label; td.appendChild(a); row.appendChild(td);
  }
  function params() {
    var p = new URLSearchParams();
    p.set("budget", form.budget.value.trim());
    form.querySelectorAll("input[type=range]").forEach(function (r) { p.set(r.name, r.value); });
    p.set("legal_only", form.legal_only.checked);
    p.set("slum_only", form.slum_only.checked);
    p.set("lang", lang);
    return p;
  }
  function show(plan) {
    var body = document.querySelector("#plan-table tbody");
    body.innerHTML = "";
    plan.ranking.forEach(function (r) {
      var tr = document.createElement("tr");
      if (r.chosen) { tr.className = "chosen"; }
      cell(tr, r.rank || "-", "num"); link(tr, r.kelurahan_name, r.kelurahan_url); link(tr, r.rt_label, r.rt_url);
      cell(tr, r.priority.toFixed(3), "num");
      cell(tr, r.kumuh_total + (r.kumuh_level_label ? " (" + r.kumuh_level_label + ")" : ""), "num hide-sm");
      cell(tr, idr(r.cost_idr), "num hide-sm"); cell(tr, r.chosen ? "\u2714" : ""); cell(tr, r.why, "hide-sm");
      body.appendChild(tr);
    });
    byId("plan-summary").textContent = text.chosen + ": " + plan.chosen + " RT \u00b7 " +
      text.total_cost + ": " + idr(plan.total_cost_idr) + " / " + idr(plan.budget_idr);
    byId("plan-solver").textContent = plan.solver.text;
    var message = byId("plan-message");
    message.hidden = !plan.message; message.textContent = plan.message || "";
    byId("plan-shown").textContent = text.more.replace("{shown}", plan.ranking.length).replace("{total}", plan.ranking_total);
    var kel = document.querySelector("#plan-kelurahan tbody");
    kel.innerHTML = "";
    plan.kelurahan.forEach(function (k) {
      var tr = document.createElement("tr");
      link(tr, k.kelurahan_name, root + "/kelurahan/" + k.kelurahan_code);
      cell(tr, k.chosen + " / " + k.eligible, "num"); cell(tr, idr(k.cost_idr), "num");
      kel.appendChild(tr);
    });
    var missing = byId("plan-missing");
    missing.hidden = !plan.missing_baseline.length;
    missing.textContent = text.missing + ": " + plan.missing_baseline.map(function (m) { return m.name; }).join(", ");
    var sens = byId("plan-sensitivity"), keys = Object.keys(plan.sensitivity || {});
    sens.innerHTML = "";
    var li = document.createElement("li");
    li.textContent = keys.length ? text.sensitive : text.stable;
    sens.appendChild(li);
    keys.forEach(function (f) {
      Object.keys(plan.sensitivity[f]).forEach(function (change) {
        var item = document.createElement("li");
        item.textContent = (plan.factor_labels[f] || f) + " " + change + ": " + plan.sensitivity[f][change].join("; ");
        sens.appendChild(item);
      });
    });
    if (window.pkPlan) { window.pkPlan.show(plan.chosen_geojson); }
  }
  function run(event) {
    if (event) { event.preventDefault(); }
    var p = params();
    byId("plan-summary").textContent = text.computing;
    byId("plan-csv").href = root + "/api/kota/" + kota + "/rank.csv?" + p.toString();
    fetch(root + "/api/kota/" + kota + "/rank?" + p.toString()).then(function (r) { return r.json(); })
      .then(function (plan) {
        if (!plan.ranking) {
          byId("plan-summary").textContent = plan.detail;
          byId("plan-solver").textContent = "";
          return;
        }
        show(plan);
      });
  }
  form.addEventListener("submit", run);
  run();
})();
