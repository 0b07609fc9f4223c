// The tile maps of the home page (#home-map) and of a kota (#kota-map), configured by the JSON in
// <script type="application/json" id="pk-map-config"> (data, not code: nothing inline runs).
(function () {
  var config = document.getElementById("pk-map-config");
  if (!config || !window.pkTiles) { return; }
  var cfg = JSON.parse(config.textContent), home = document.getElementById("home-map");
  if (home) { window.pkTiles.homeMap(home, cfg); return; }
  var kota = document.getElementById("kota-map");
  if (kota) { window.pkTiles.kotaMap(kota, cfg); }
})();
