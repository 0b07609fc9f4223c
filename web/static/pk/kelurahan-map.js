/* The kelurahan map's behaviour, shared by the site (served from /static/pk/) and the stand-alone
   `petakampung map` files (inlined there, so they work offline).  geo/map_folium.py writes one call,
   pk.initKelurahanMap(map, layers, control, config), with the map's words and legends in config;
   everything else is here.  Uses only Leaflet (L), loaded before the map's own script runs. */
(function () {
  "use strict";
  var pk = window.pk = window.pk || {};

  // colour the works by "status", "fisik" or "deviation" (the colours are in each feature)
  pk.setWorkColor = function (key) {
    var works = pk.layers.works;
    works.setStyle(function (f) { var c = f.properties["c_" + key]; return {color: c, fillColor: c}; });
    works.eachLayer(function (l) { l.feature.properties.color = l.feature.properties["c_" + key]; });
    var box = document.querySelector(".pk-works-legend"), legends = pk.workLegends || {};
    if (box && legends[key]) { box.innerHTML = legends[key]; }
  };

  // show another RT indicator: fill colour, popup value and legend
  pk.setIndicator = function (key) {
    var rt = pk.layers.rt, legends = pk.legends || {};
    rt.setStyle(function (f) { return {fillColor: f.properties["c_" + key]}; });
    rt.eachLayer(function (l) {
      l.feature.properties.color = l.feature.properties["c_" + key];
      l.feature.properties.value = l.feature.properties["v_" + key];
    });
    var box = document.querySelector(".pk-rt-legend");
    if (box && legends[key]) { box.innerHTML = legends[key]; }
  };

  function addLegend(map, legendHtml) {
    var legend = L.control({position: "bottomright"});
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "pk-legend");
      div.innerHTML = legendHtml;
      div.querySelector("details").open = window.innerWidth >= 700;  // folded on a phone; one tap opens it
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    legend.addTo(map);
  }

  function addPicker(map, pickerHtml) {  // the stand-alone file's indicator list (the site has its own)
    var c = L.control({position: "topright"});
    c.onAdd = function () {
      var div = L.DomUtil.create("div", "leaflet-bar pk-picker");
      div.style.background = "#fff"; div.style.padding = "4px";
      div.innerHTML = pickerHtml;
      L.DomEvent.disableClickPropagation(div);
      div.querySelector("select").addEventListener("change", function (e) { pk.setIndicator(e.target.value); });
      return div;
    };
    c.addTo(map);
  }

  function facilityIcons(config) {  // programme-coloured icons, each named for a screen reader
    pk.facilityIcon = function (feature) {
      var p = feature.properties, color = config.programmeColors[p.programme] || "#333333";
      return L.divIcon({className: "", iconSize: [26, 26], iconAnchor: [13, 13],
        html: '<div class="pk-icon" style="width:26px;height:26px;background:' + color + '">' +
              (config.icons[p.category] || config.icons.lainnya) + "</div>"});
    };
    var fac = pk.layers.facilities;
    fac.options.pointToLayer = function (feature, latlng) {
      var text = document.createElement("textarea");  // the popup's escaped name, as plain letters again
      text.innerHTML = feature.properties.name || "";
      var name = text.value;
      return L.marker(latlng, {icon: pk.facilityIcon(feature), title: name, alt: name});
    };
    var existing = [];
    fac.eachLayer(function (l) { existing.push(l.feature); });
    fac.clearLayers();
    existing.forEach(function (f) { fac.addData(f); });
  }

  function button(map, text, title, onClick) {
    var c = L.control({position: "topleft"});
    c.onAdd = function () {
      var div = L.DomUtil.create("div", "leaflet-bar"), a = L.DomUtil.create("a", "pk-btn", div);
      a.href = "#"; a.title = title; a.setAttribute("role", "button"); a.setAttribute("aria-label", title);
      a.innerHTML = text;
      L.DomEvent.on(a, "click", function (e) { L.DomEvent.preventDefault(e); onClick(); });
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    return c.addTo(map);
  }

  function controls(map, config) {  // full screen and locate me
    var box = map.getContainer();
    button(map, config.buttons.expand, config.text.fullscreen, function () {
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else if (box.requestFullscreen) { box.requestFullscreen(); }
    });
    document.addEventListener("fullscreenchange", function () { map.invalidateSize(); });
    button(map, config.buttons.locate, config.text.locate, function () { map.locate({setView: true, maxZoom: 18}); });
    map.on("locationfound", function (e) { L.circle(e.latlng, {radius: e.accuracy}).addTo(map); });
    map.on("locationerror", function () { alert(config.text.locate_fail); });
  }

  // the kelurahan fills the part of the map that the legend and the layer list leave free
  function fitClear(map, config) {
    var box = map.getContainer(), right = 10;
    var legend = box.querySelector(".pk-legend"), layers = box.querySelector(".leaflet-control-layers");
    if (legend && layers) {  // the legend scrolls inside what the layer list leaves of the right side
      legend.style.maxHeight = Math.max(120, box.clientHeight - layers.offsetHeight - 50) + "px";
    }
    if (legend) { right = Math.max(right, legend.offsetWidth + 20); }
    if (layers) { right = Math.max(right, layers.offsetWidth + 20); }
    if (right > box.clientWidth / 2) { right = 10; }  // too narrow to leave a side free: fold instead
    map.fitBounds(config.bounds, {paddingTopLeft: [50, 10], paddingBottomRight: [right, 10]});
  }

  // works, gardens and facilities of a large kelurahan: loaded by bounding box as the map moves
  function lazyLoading(map, lazy) {
    function key(f) { var p = f.properties; return p.work_id || p.garden_id || p.facility_id; }
    var seen = {};
    Object.keys(lazy).forEach(function (name) {
      seen[name] = {};
      pk.layers[name].eachLayer(function (l) { seen[name][key(l.feature)] = true; });
    });
    function loadVisible() {
      var b = map.getBounds(), bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].join(",");
      Object.keys(lazy).forEach(function (name) {
        var url = lazy[name] + (lazy[name].indexOf("?") < 0 ? "?" : "&") + "bbox=" + bbox + "&limit=1000";
        fetch(url).then(function (r) { return r.json(); }).then(function (fc) {
          fc.features.forEach(function (f) {
            if (seen[name][key(f)]) { return; }
            seen[name][key(f)] = true;
            pk.layers[name].addData(f);
          });
        });
      });
    }
    if (Object.keys(lazy).length) { map.on("moveend", loadVisible); map.whenReady(loadVisible); }
  }

  pk.initKelurahanMap = function (map, layers, control, config) {
    pk.map = map;
    pk.layers = layers;
    pk.control = control;
    pk.config = config;
    pk.icons = config.icons;
    pk.legends = config.legends;
    pk.workLegends = config.workLegends;
    addLegend(map, config.legendHtml);
    if (config.pickerHtml) { addPicker(map, config.pickerHtml); }
    facilityIcons(config);
    controls(map, config);
    if (window.innerWidth < 700) {  // on a phone the layer list starts folded
      control.collapse();
      map.on("click", function () { control.collapse(); });
    }
    pk.fitClear = function () { fitClear(map, config); };
    pk.fitClear();
    lazyLoading(map, config.lazy);
  };
})();
