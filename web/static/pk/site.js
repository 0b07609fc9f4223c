// Every page: the behaviour that used to sit in inline event handlers (the Content-Security-Policy
// runs no inline handler), and window.pkRoot, the site's sub-path behind a proxy ("" at the root).
(function () {
  window.pkRoot = document.documentElement.dataset.root || "";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  document.querySelectorAll("input[data-echo]").forEach(function (el) {  // a range slider shows its value
    el.addEventListener("input", function () { el.nextElementSibling.textContent = el.value; });
  });
  document.querySelectorAll("select[data-pk-call]").forEach(function (el) {  // the folium map's window.pk
    el.addEventListener("change", function () { window.pk[el.dataset.pkCall](el.value); });
  });
  document.querySelectorAll("select[data-tiles-call]").forEach(function (el) {  // the tile maps' window.pkTiles
    el.addEventListener("change", function () { window.pkTiles[el.dataset.tilesCall](el.value); });
  });
})();
