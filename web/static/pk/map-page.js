// The kelurahan page: list entries that show their feature on the map, and ?work=ID on arrival.
(function () {
  var pk = window.pk;
  if (!pk || !pk.map) { return; }
  pk.focus = function (layerName, id) {
    var group = pk.layers[layerName], found = null;
    group.eachLayer(function (l) {
      var p = l.feature && l.feature.properties;
      if (p && (p.work_id === id || p.garden_id === id || p.facility_id === id)) { found = l; }
    });
    if (!found) { return false; }
    var at = found.getBounds ? found.getBounds().getCenter() : found.getLatLng();
    if (found.getBounds) { pk.map.fitBounds(found.getBounds(), {maxZoom: 18, padding: [30, 30]}); }
    else { pk.map.setView(at, 18); }
    // the popup belongs to the layer group: a click on the feature opens it with the feature's data
    found.fire("click", {latlng: at}, true);  // true: propagate to the group that owns the popup
    document.querySelector(".map-wrap").scrollIntoView({behavior: "smooth", block: "center"});
    return true;
  };
  document.querySelectorAll("a.focus").forEach(function (a) {
    a.addEventListener("click", function (e) { e.preventDefault(); pk.focus(a.dataset.layer, a.dataset.id); });
  });
  var wanted = new URLSearchParams(window.location.search).get("work");
  if (wanted) { pk.focus("works", wanted); }
})();
