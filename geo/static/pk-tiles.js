// Maps drawn from petakampung's vector tiles with Leaflet.VectorGrid: the kota map (kelurahan and
// RT choropleth, works, gardens, facilities, legend, picker, popups) and the home map (kota with
// data).  Public data only: RT tiles carry the suppressed indicators, a hidden value is absent.
// Every text from the data reaches the page escaped.  Used by the site and, with the tiles
// embedded, by the stand-alone city map (`petakampung map --kota`).
(function () {
  "use strict";
  var pk = window.pkTiles = window.pkTiles || {};
  var SUPPRESSED = "#bdbdbd";

  function esc(value) {
    return String(value === undefined || value === null ? "-" : value).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  pk.esc = esc;

  // Indonesian formats by default ("1.234", "45,0 %"), English ones with lang "en" ("1,234", "45.0%"), as geo/formats.py
  function group(intText, sep) { return intText.replace(/\B(?=(\d{3})+(?!\d))/g, sep); }
  function number(value, lang, decimals) {
    if (value === undefined || value === null || isNaN(value)) { return null; }
    var fixed = Math.abs(value).toFixed(decimals || 0).split(".");
    var text = group(fixed[0], lang === "en" ? "," : ".");
    if (fixed.length > 1) { text += (lang === "en" ? "." : ",") + fixed[1]; }
    return (value < 0 ? "-" : "") + text;
  }
  function fmt(kind, value, lang) {
    if (value === undefined || value === null) { return null; }
    var pc = lang === "en" ? "%" : " %";  // as geo/formats.py: "45,0 %" / "45.0%"
    if (kind === "share") { return number(100 * value, lang, 1) + pc; }
    if (kind === "idr") { return "Rp " + number(value, lang, 0); }
    if (kind === "pct") { return number(value, lang, 0) + pc; }
    return number(value, lang, 0);
  }
  pk.number = number;
  pk.fmt = fmt;

  function classColor(classes, value) {
    if (value === undefined || value === null || !classes) { return SUPPRESSED; }
    for (var i = 0; i < classes.bounds.length; i++) {
      if (value <= classes.bounds[i] + 1e-12) { return classes.colors[i]; }
    }
    return classes.colors[classes.colors.length - 1];
  }

  // Tiles from the site, or embedded in the page (stand-alone map): Leaflet calls a function
  // option of the URL template with the tile address, so an embedded tile becomes a data: URL.
  function tileSource(cfg, name) {
    if (!cfg.embedded) { return {url: cfg.tiles.replace("{layer}", name), options: {}}; }
    var tiles = cfg.embedded[name] || {}, zoom = cfg.nativeZoom[name];
    return {
      url: "{pkTile}",
      options: {
        maxNativeZoom: zoom, minNativeZoom: zoom,
        pkTile: function (d) { return "data:application/vnd.mapbox-vector-tile;base64," + (tiles[d.z + "/" + d.x + "/" + d.y] || ""); }
      }
    };
  }

  function vectorLayer(map, cfg, name, style, extra) {
    var source = tileSource(cfg, name), styles = {};
    var scale = function () {  // a tile drawn bigger than its native zoom keeps its line widths
      var native = source.options.maxNativeZoom;
      return native === undefined ? 1 : Math.pow(2, map.getZoom() - native);
    };
    styles[name] = function (p, z) {
      var s = style(p, z);
      if (s.weight) { s.weight = s.weight / scale(); }
      if (s.radius) { s.radius = s.radius / scale(); }
      return s;
    };
    var options = L.extend({
      rendererFactory: L.svg.tile, interactive: true, vectorTileLayerStyles: styles,
      minZoom: cfg.minZoom[name], maxZoom: 20
    }, source.options, extra || {});
    var layer = L.vectorGrid.protobuf(source.url, options);
    if (source.options.maxNativeZoom !== undefined) {
      map.on("zoomend", function () { if (map.hasLayer(layer)) { layer.redraw(); } });
    }
    return layer;
  }

  // Restyle what is drawn (the picker): VectorGrid keeps each tile's features when getFeatureId is set
  function restyle(layer, name) {
    var tiles = layer._vectorTiles;
    if (!tiles || !layer._updateStyles) { layer.redraw(); return; }
    var style = layer.options.vectorTileLayerStyles[name];
    Object.keys(tiles).forEach(function (key) {
      var tile = tiles[key], features = tile._features || {};
      Object.keys(features).forEach(function (id) { layer._updateStyles(features[id].feature, tile, style); });
    });
  }

  function table(rows) {
    return "<table class=\"pk-popup\">" + rows.filter(function (r) { return r; }).map(function (r) {
      return "<tr><th>" + esc(r[0]) + "</th><td>" + r[1] + "</td></tr>";
    }).join("") + "</table>";
  }

  function legendControl(map) {
    var control = L.control({position: "bottomright"});
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "pk-legend");
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    control.addTo(map);
    return control.getContainer();
  }

  function baseLayer(map, cfg) {
    return L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19, attribution: "&copy; <a href=\"https://www.openstreetmap.org/copyright\">OpenStreetMap</a>"
    }).addTo(map);
  }

  pk.kotaMap = function (element, cfg) {
    var t = cfg.text, lang = cfg.lang;
    var map = L.map(element, {zoomSnap: 0.5, preferCanvas: false});
    var state = {indicator: cfg.indicator};
    var rtZoom = cfg.minZoom.rt;
    var kelValues = cfg.kelurahan || {};

    function kind(key) { return cfg.indicators[key].kind; }
    function kelValue(code, key) { var v = kelValues[code]; return v ? v.values[key] : undefined; }

    var kelurahan = vectorLayer(map, cfg, "kelurahan", function (p, z) {
      var coarse = map.getZoom() < rtZoom;
      return {
        fill: coarse, fillColor: classColor(cfg.kelurahanClasses[state.indicator], kelValue(p.kelurahan_code, state.indicator)),
        fillOpacity: 0.7, color: "#222222", weight: coarse ? 1 : 2.5, opacity: 0.9
      };
    }, {getFeatureId: function (f) { return f.properties.kelurahan_code; }, minZoom: 0, zIndex: 3});
    var rt = vectorLayer(map, cfg, "rt", function (p) {
      return {fill: true, fillColor: classColor(cfg.rtClasses[state.indicator], p[state.indicator]),
              fillOpacity: 0.7, color: "#555555", weight: 0.7};
    }, {getFeatureId: function (f) { var p = f.properties; return p.kelurahan_code + "-" + p.unit_number + "-" + p.rt_number; },
        zIndex: 2});
    var works = vectorLayer(map, cfg, "works", function (p) {
      var c = cfg.statusColors[p.status] || "#333333";
      return {color: c, weight: 5, opacity: 0.9, fill: true, fillColor: c, fillOpacity: 0.9, radius: 6};
    }, {zIndex: 5});
    var gardens = vectorLayer(map, cfg, "gardens", function () {
      return {fill: true, fillColor: "#5aae61", fillOpacity: 0.8, color: "#1b7837", weight: 1};
    }, {zIndex: 4});
    var facilities = vectorLayer(map, cfg, "facilities", function (p) {
      return {radius: 6, fill: true, fillColor: cfg.programmeColors[p.programme] || "#333333", fillOpacity: 1,
              color: "#ffffff", weight: 2};
    }, {zIndex: 6});

    baseLayer(map, cfg);
    kelurahan.addTo(map);
    rt.addTo(map);
    works.addTo(map);
    gardens.addTo(map);
    facilities.addTo(map);
    var overlays = {};
    overlays[t.kelurahan_layer] = kelurahan;
    overlays[t.rt_layer] = rt;
    overlays[t.works] = works;
    overlays[t.gardens] = gardens;
    overlays[t.facilities] = facilities;
    var control = L.control.layers(null, overlays, {collapsed: window.innerWidth < 700}).addTo(map);
    L.control.scale({imperial: false}).addTo(map);

    function indicatorText(key, value) { var v = fmt(kind(key), value, lang); return v === null ? t.hidden : v; }
    function link(href, text) { return "<a href=\"" + esc(href) + "\">" + esc(text) + " &rarr;</a>"; }
    function kelLink(code) { return cfg.links.kelurahan.replace("{code}", code); }

    kelurahan.on("click", function (e) {
      if (map.getZoom() >= rtZoom && map.hasLayer(rt)) { return; }  // close in, the RT below answers
      var p = e.layer.properties, info = kelValues[p.kelurahan_code] || {};
      L.popup().setLatLng(e.latlng).setContent(
        "<b>" + esc(p.name) + "</b>" + table([
          [t.code, esc(p.kelurahan_code)], [t.kecamatan, esc(p.kecamatan)],
          [cfg.indicators[state.indicator].label, esc(indicatorText(state.indicator, kelValue(p.kelurahan_code, state.indicator)))],
          [t.rt_count, esc(number(info.rt_count, lang) || "0")],
          [t.kk, esc(info.kk === null || info.kk === undefined ? t.hidden : number(info.kk, lang))]
        ]) + (cfg.links.kelurahan ? link(kelLink(p.kelurahan_code), t.open_kelurahan) : "")
      ).openOn(map);
    });
    rt.on("click", function (e) {
      var p = e.layer.properties, info = kelValues[p.kelurahan_code] || {};
      var rows = [
        [t.kelurahan, esc(info.name || p.kelurahan_code)],
        [cfg.indicators[state.indicator].label, esc(indicatorText(state.indicator, p[state.indicator]))],
        [t.kk, esc(p.kk_total === undefined ? t.hidden : number(p.kk_total, lang))],
        [t.poor, esc(p.kk_poor === undefined ? t.hidden : number(p.kk_poor, lang))],
        [t.road, esc(number(p.road_m || 0, lang))], [t.drainage, esc(number(p.drainage_m || 0, lang))],
        [t.wells, esc(number(p.wells || 0, lang))], [t.garden_m2, esc(number(p.garden_m2 || 0, lang))]
      ];
      var href = cfg.links.rt ? cfg.links.rt.replace("{code}", p.kelurahan_code).replace("{unit}", p.unit_number).replace("{rt}", p.rt_number) : null;
      L.popup().setLatLng(e.latlng).setContent("<b>" + esc(p.rt_label) + "</b>" + table(rows) + (href ? link(href, t.profile) : "")).openOn(map);
    });
    works.on("click", function (e) {
      var p = e.layer.properties;
      L.popup().setLatLng(e.latlng).setContent("<b>" + esc(p.name) + "</b>" + table([
        [t.type, esc(cfg.workTypes[p.work_type] || p.work_type)], [t.status, esc((cfg.statusLabels[p.status] || p.status))],
        [t.fisik, esc(fmt("pct", p.progress_fisik, lang) || "-")], [t.keuangan, esc(fmt("pct", p.progress_keuangan, lang) || "-")],
        [t.budget, esc(fmt("idr", p.budget_idr, lang) || "-")], [t.funding, esc(p.funding)], [t.year, esc(p.year)]
      ]) + (cfg.links.work ? link(cfg.links.work.replace("{code}", p.kelurahan_code).replace("{work}", encodeURIComponent(p.work_id)), t.open_work) : "")).openOn(map);
    });
    gardens.on("click", function (e) {
      var p = e.layer.properties;
      L.popup().setLatLng(e.latlng).setContent("<b>" + esc(p.kwt_name) + "</b>" + table([
        [t.crops, esc(p.crops)], [t.site, esc(cfg.siteLabels[p.site_type] || p.site_type)],
        [t.area, esc(number(p.area_m2, lang) + " m²")]
      ])).openOn(map);
    });
    facilities.on("click", function (e) {
      var p = e.layer.properties;
      L.popup().setLatLng(e.latlng).setContent("<b>" + esc(p.name) + "</b>" + table([
        [t.category, esc(cfg.categoryLabels[p.category] || p.category)],
        [t.programme, esc(cfg.programmeLabels[p.programme] || p.programme)]
      ])).openOn(map);
    });

    var legend = legendControl(map);
    function classRows(classes, k) {
      var rows = [], low = 0;
      (classes ? classes.bounds : []).forEach(function (bound, i) {
        rows.push("<i style=\"background:" + classes.colors[i] + "\"></i>" + esc(fmt(k, low, lang) + " – " + fmt(k, bound, lang)));
        low = bound;
      });
      return rows;
    }
    function drawLegend() {
      var coarse = map.getZoom() < rtZoom, key = state.indicator, k = kind(key);
      var classes = coarse ? cfg.kelurahanClasses[key] : cfg.rtClasses[key];
      var rows = ["<b>" + esc((coarse ? t.kelurahan_prefix : t.rt_prefix) + cfg.indicators[key].label) + "</b>"];
      rows = rows.concat(classRows(classes, k));
      rows.push("<i style=\"background:" + SUPPRESSED + "\"></i>" + esc(t.suppressed));
      if (coarse) { rows.push("<small>" + esc(t.zoom_for_rt) + "</small>"); }
      rows.push("<b>" + esc(t.works) + "</b>");
      Object.keys(cfg.statusColors).forEach(function (s) {
        rows.push("<i style=\"background:" + cfg.statusColors[s] + "\"></i>" + esc(cfg.statusLabels[s]));
      });
      rows.push("<b>" + esc(t.facilities) + "</b>");
      Object.keys(cfg.programmeColors).forEach(function (p) {
        rows.push("<i style=\"background:" + cfg.programmeColors[p] + ";border-radius:50%\"></i>" + esc(cfg.programmeLabels[p] || p));
      });
      rows.push("<i style=\"background:#5aae61\"></i>" + esc(t.gardens));
      var open = legend.querySelector("details") ? legend.querySelector("details").open : window.innerWidth >= 700;
      legend.innerHTML = "<details" + (open ? " open" : "") + "><summary>" + esc(t.legend) + "</summary><div class=\"pk-rt-legend\">" +
        rows.join("<br>") + "</div></details>";
    }
    map.on("zoomend", drawLegend);

    pk.setIndicator = function (key) {
      if (!cfg.indicators[key]) { return; }
      state.indicator = key;
      restyle(rt, "rt");
      restyle(kelurahan, "kelurahan");
      drawLegend();
    };
    var coarseBefore = null;
    map.on("zoomend", function () {  // kelurahan fill on and off as RT appear
      var coarse = map.getZoom() < rtZoom;
      if (coarse !== coarseBefore && coarseBefore !== null) { restyle(kelurahan, "kelurahan"); }
      coarseBefore = coarse;
    });
    var b = cfg.bounds;
    map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {padding: [10, 10], maxZoom: 17});
    coarseBefore = map.getZoom() < rtZoom;
    drawLegend();
    pk.map = map;
    pk.layers = {kelurahan: kelurahan, rt: rt, works: works, gardens: gardens, facilities: facilities};
    pk.control = control;
    return map;
  };

  // The home map: one point per kota with data (a light GeoJSON), kelurahan outlines from tiles when close in.
  pk.homeMap = function (element, cfg) {
    var t = cfg.text, lang = cfg.lang;
    var map = L.map(element, {zoomSnap: 0.5});
    baseLayer(map, cfg);
    var kelurahan = vectorLayer(map, cfg, "kelurahan", function () {
      return {fill: true, fillColor: "#b2182b", fillOpacity: 0.08, color: "#b2182b", weight: 1};
    }, {minZoom: 9});
    kelurahan.on("click", function (e) {
      var p = e.layer.properties;
      L.popup().setLatLng(e.latlng).setContent("<b>" + esc(p.name) + "</b><br>" + esc(p.kecamatan) + " · " + esc(p.kota) +
        "<br><a href=\"" + esc(cfg.links.kelurahan.replace("{code}", p.kelurahan_code)) + "\">" + esc(t.open_kelurahan) + " &rarr;</a>").openOn(map);
    });
    kelurahan.addTo(map);
    var points = L.geoJSON(cfg.places, {
      pointToLayer: function (f, latlng) {
        var r = 5 + Math.min(10, 2 * Math.log(1 + f.properties.kelurahan));
        return L.circleMarker(latlng, {radius: r, color: "#ffffff", weight: 2, fillColor: "#b2182b", fillOpacity: 0.85,
                                       className: "pk-kota-point"});
      },
      onEachFeature: function (f, layer) {
        var p = f.properties, href = cfg.links.kota.replace("{code}", p.code);
        var few = cfg.places.features.length <= 30;  // few places: their names stay on the map
        layer.bindTooltip(esc(p.name), {permanent: few, direction: "right", className: "pk-kota-label"});
        layer.bindPopup("<b>" + esc(p.name) + "</b><br>" + esc(p.provinsi) + "<br>" +
          esc(number(p.kelurahan, lang)) + " " + esc(t.kelurahan_unit) + " · " + esc(number(p.rt, lang)) + " RT<br>" +
          "<a class=\"pk-kota-link\" href=\"" + esc(href) + "\">" + esc(t.open_kota) + " &rarr;</a>");
      }
    }).addTo(map);
    if (cfg.places.features.length) {
      map.fitBounds(points.getBounds(), {padding: [60, 60], maxZoom: 11});
    } else {
      map.fitBounds([[-11, 95], [6, 141]]);
    }
    L.control.scale({imperial: false}).addTo(map);
    pk.map = map;
    pk.layers = {kelurahan: kelurahan, kota: points};
    return map;
  };
})();
