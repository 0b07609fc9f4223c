/* The community page's map: RWs coloured by flagship product status, with their public poverty
   share and latest proposal; dots for what the ledgers bought or built.  No base tiles needed. */
(function () {
  "use strict";
  var holder = document.getElementById("community-map");
  var source = document.getElementById("pk-community-map");
  if (!holder || !source || typeof L === "undefined") { return; }
  var cfg = JSON.parse(source.textContent);
  var map = L.map(holder, { scrollWheelZoom: false, zoomSnap: 0.25 });
  function esc(text) {
    var div = document.createElement("div");
    div.textContent = text === null || text === undefined ? "" : String(text);
    return div.innerHTML;
  }
  function pct(share) { return window.pkFormat.percent(share, null, 1, "*"); }  // formats.js
  function rupiah(n) { return window.pkFormat.rupiah(n); }
  var rw = L.geoJSON(cfg.rw, {
    style: function (f) {
      var status = f.properties.product_status;
      return { color: "#555", weight: 1, fillOpacity: status ? 0.6 : 0.15, fillColor: status ? cfg.colors[status] : "#cccccc" };
    },
    onEachFeature: function (f, layer) {
      var p = f.properties;
      var html = "<strong>" + esc(p.label) + "</strong><br>" + esc(cfg.text.poor_share) + ": " + esc(pct(p.poor_share));
      if (p.product) { html += "<br>" + esc(p.product) + ": " + esc(cfg.status[p.product_status]); }
      if (p.proposal) { html += "<br>" + esc(cfg.text.proposal) + ": " + esc(p.proposal) + " (" + esc(cfg.proposal_status[p.proposal_status]) + ")"; }
      layer.bindPopup(html);
      layer.bindTooltip(esc(pct(p.poor_share)), { permanent: true, direction: "center", className: "pk-rw-share" });
    }
  }).addTo(map);
  L.geoJSON(cfg.assets, {
    pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, { radius: 7, color: "#7a0177", weight: 2, fillColor: "#f768a1", fillOpacity: 0.9 });
    },
    style: function () { return { color: "#7a0177", weight: 4 }; },
    onEachFeature: function (f, layer) {
      layer.bindPopup("<strong>" + esc(f.properties.name) + "</strong><br>" + esc(cfg.text.amount) + ": " + esc(rupiah(f.properties.amount_idr)));
    }
  }).addTo(map);
  var bounds = rw.getBounds();
  if (bounds.isValid()) { map.fitBounds(bounds, { padding: [8, 8] }); } else { map.setView([-2.5, 118], 4); }
})();
