// The home page's kelurahan list: instant filtering as you type, in the page while it lists every
// kelurahan, else a bounded search on the server.
(function () {
  var q = document.getElementById("q"), list = document.getElementById("kelurahan-list");
  var root = window.pkRoot || "";
  if (!q || !list) { return; }
  var body = list.querySelector("tbody"), none = document.getElementById("no-match"), note = document.getElementById("list-note");
  function esc(v) { return window.pkTiles ? window.pkTiles.esc(v) : String(v); }
  if (list.dataset.complete === "true") {
    var rows = body.querySelectorAll("tr");
    q.addEventListener("input", function () {
      var needle = q.value.trim().toLowerCase(), shown = 0;
      rows.forEach(function (r) { var hit = r.dataset.search.indexOf(needle) >= 0; r.hidden = !hit; shown += hit; });
      none.hidden = shown > 0;
    });
    return;
  }
  var timer = null, asked = 0;
  q.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var needle = q.value.trim(), mine = ++asked;
      if (needle.length < 2) { return; }
      fetch(root + "/api/wilayah/cari?limit=50&q=" + encodeURIComponent(needle)).then(function (r) { return r.json(); }).then(function (data) {
        if (mine !== asked) { return; }
        body.innerHTML = data.kelurahan.map(function (r) {
          return "<tr><td><a href=\"" + root + "/kelurahan/" + esc(r.kelurahan_code) + "\">" + esc(r.name) + "</a></td><td class=\"hide-sm\">" +
            esc(r.kelurahan_code) + "</td><td class=\"hide-sm\">" + esc(r.kecamatan || "") + "</td><td>" + esc(r.kota || "") +
            "</td><td class=\"hide-sm num\">" + r.rt_count + "</td><td class=\"hide-sm num\">" + r.works_count + "</td></tr>";
        }).join("");
        list.hidden = data.kelurahan.length === 0;
        none.hidden = data.kelurahan.length > 0;
        note.hidden = data.matched <= data.kelurahan.length;
        note.textContent = data.matched + " / " + data.kelurahan.length;
      });
    }, 250);
  });
})();
