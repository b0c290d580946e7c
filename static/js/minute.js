// Take a minute, Pause: a calm pacer for three breaths. Without this script the page shows
// the same three breaths as plain steps; with reduced motion the circle stays still and only
// the words change.
(function () {
  "use strict";
  var pacer = document.getElementById("pacer");
  if (!pacer) { return; }
  var words = document.getElementById("pacer-words");
  var start = document.getElementById("pacer-start");
  var IN_MS = 4000;
  var OUT_MS = 6000;
  var BREATHS = 3;
  pacer.hidden = false;

  function say(text) { words.textContent = text; }

  function breathe(number) {
    if (number > BREATHS) {
      pacer.classList.remove("inhale", "exhale");
      say(pacer.getAttribute("data-done"));
      start.hidden = false;
      start.focus();
      return;
    }
    var counter = pacer.getAttribute("data-breath-" + number);
    pacer.classList.remove("exhale");
    pacer.classList.add("inhale");
    say(counter + ": " + pacer.getAttribute("data-in"));
    window.setTimeout(function () {
      pacer.classList.remove("inhale");
      pacer.classList.add("exhale");
      say(counter + ": " + pacer.getAttribute("data-out"));
      window.setTimeout(function () { breathe(number + 1); }, OUT_MS);
    }, IN_MS);
  }

  start.addEventListener("click", function () {
    start.hidden = true;
    pacer.setAttribute("data-running", "");
    breathe(1);
  });
})();
