// The planner page: ask /api/.../rank for the plan and show it in the table and on the map.
(function () {
  var form = document.getElementById("plan-form");
  if (!form) { return; }
  var code = form.dataset.code, lang = form.dataset.lang, root = window.pkRoot || "";
  var text = JSON.parse(document.getElementById("pk-text").textContent);
  function idr(x) { return "Rp " + Math.round(x).toLocaleString("id-ID"); }
  function cell(row, value, cls) {
    var td = document.createElement("td"); td.textContent = value; if (cls) { td.className = cls; } row.appendChild(td);
  }
  function run(event) {
    if (event) { event.preventDefault(); }
    var params = new URLSearchParams();
    params.set("budget", form.budget.value);
    form.querySelectorAll("input[type=range]").forEach(function (r) { params.set(r.name, r.value); });
    params.set("legal_only", form.legal_only.checked);
    params.set("slum_only", form.slum_only.checked);
    params.set("lang", lang);
    fetch(root + "/api/kelurahan/" + code + "/rank?" + params.toString()).then(function (r) { return r.json(); })
      .then(function (plan) {
        if (!plan.ranking) { document.getElementById("plan-summary").textContent = plan.detail; return; }
        var body = document.querySelector("#plan-table tbody"), chosen = {};
        body.innerHTML = "";
        plan.ranking.forEach(function (r) {
          var tr = document.createElement("tr");
          if (r.chosen) { tr.className = "chosen"; chosen[r.rt_label] = true; }
          cell(tr, r.rank || "-", "num"); cell(tr, r.rt_label); cell(tr, r.priority.toFixed(3), "num");
          cell(tr, r.kumuh_total + " (" + r.kumuh_level_label + ")", "num"); cell(tr, idr(r.cost_idr), "num hide-sm");
          cell(tr, r.chosen ? "\u2714" : ""); cell(tr, r.why, "hide-sm");
          body.appendChild(tr);
        });
        document.getElementById("plan-summary").textContent = text.chosen + ": " + plan.chosen + " RT \u00b7 " +
          text.total_cost + ": " + idr(plan.total_cost_idr) + " / " + idr(plan.budget_idr);
        var sens = document.getElementById("plan-sensitivity");
        sens.innerHTML = "";
        var keys = Object.keys(plan.sensitivity);
        var li = document.createElement("li");
        li.textContent = keys.length ? text.sensitive : text.stable;
        sens.appendChild(li);
        keys.forEach(function (f) {
          Object.keys(plan.sensitivity[f]).forEach(function (change) {
            var item = document.createElement("li");
            item.textContent = f + " " + change + ": " + plan.sensitivity[f][change].join(", ");
            sens.appendChild(item);
          });
        });
        if (window.pk && window.pk.layers) {
          window.pk.layers.rt.setStyle(function (feature) {
            var on = chosen[feature.properties.rt_label];
            return {weight: on ? 5 : 1, color: on ? "#08519c" : "#555555"};
          });
        }
      });
  }
  form.addEventListener("submit", run);
  run();
})();
