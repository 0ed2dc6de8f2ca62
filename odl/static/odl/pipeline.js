// After a move the board opens on #etd-<id>: put the keyboard focus on that card's heading, so a
// keyboard user carries on from the card they just moved.
(function () {
  "use strict";
  var target = location.hash && document.getElementById(location.hash.slice(1));
  var heading = target && (/^H[1-3]$/.test(target.tagName) ? target : target.querySelector("h3"));
  if (heading) { heading.focus(); }
})();
