// Rumah DataKu and Kampung Tangguh pages: the print button (no inline handlers under the CSP).
(function () {
  var button = document.getElementById("print-button");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
})();
