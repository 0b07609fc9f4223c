// Numbers, percentages and rupiah in the browser exactly as geo/formats.py writes them on the server
// (Babel there, the browser's Intl here): "1.234,5" / "1,234.5", "45,0 %" / "45.0%", "Rp 1.500.000" /
// "Rp 1,500,000".  The language is the page's <html lang>.  Half-up rounding, as on the server.
(function () {
  "use strict";
  var LOCALES = {id: "id-ID", en: "en"};
  var cache = {};
  function pageLang() { return document.documentElement.lang === "en" ? "en" : "id"; }
  function formatter(lang, digits) {
    var key = lang + digits;
    if (!cache[key]) {
      cache[key] = new Intl.NumberFormat(LOCALES[lang] || LOCALES.id,
        {minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: true});
    }
    return cache[key];
  }
  function missing(x) { return x === null || x === undefined || x === "" || isNaN(Number(x)); }
  function number(x, lang, digits, absent) {
    if (missing(x)) { return absent === undefined ? "-" : absent; }
    digits = digits || 0;
    var scale = Math.pow(10, digits), v = Number(x);
    var rounded = (v < 0 ? -1 : 1) * Math.round(Math.abs(v) * scale + 1e-9) / scale;  // half-up, away from 0
    return formatter(lang || pageLang(), digits).format(rounded === 0 ? 0 : rounded);
  }
  function percent(share, lang, digits, absent) {
    if (missing(share)) { return absent === undefined ? "-" : absent; }
    lang = lang || pageLang();
    return number(100 * Number(share), lang, digits === undefined ? 1 : digits) + (lang === "en" ? "%" : " %");
  }
  function rupiah(x, lang) { return missing(x) ? "-" : "Rp " + number(x, lang, 0); }
  window.pkFormat = {number: number, percent: percent, rupiah: rupiah, lang: pageLang};
})();
