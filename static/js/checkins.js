// Check-in form: a live character count for the free-text boxes, what is still to rate beside
// Save, and one submit per tap. The form works the same without this script.
(function () {
  "use strict";
  document.querySelectorAll("textarea[data-limit]").forEach(function (box) {
    var limit = parseInt(box.getAttribute("data-limit"), 10);
    var counter = document.getElementById(box.id + "_count");
    if (!counter || !limit) { return; }
    var update = function () {
      var left = limit - box.value.length;
      counter.textContent = left >= 0
        ? box.value.length + " / " + limit
        : box.value.length + " / " + limit + " — " + (box.getAttribute("data-over") || "");
    };
    box.addEventListener("input", update);
    update();
  });
  document.querySelectorAll("form.checkin-form").forEach(function (form) {
    var status = document.getElementById("save-status");
    var rows = form.querySelectorAll(".rating-row");
    var missingRows = function () {
      return Array.prototype.filter.call(rows, function (row) { return !row.querySelector("input:checked"); });
    };
    var showMissing = function () {
      if (!status) { return; }
      var count = missingRows().length;
      var text = count === 0 ? status.getAttribute("data-done")
        : count === 1 ? status.getAttribute("data-one")
        : (status.getAttribute("data-many") || "").replace("__N__", String(count));
      if (text && status.textContent !== text) { status.textContent = text; }
    };
    form.addEventListener("change", showMissing);
    form.addEventListener("submit", function (event) {
      var missing = missingRows();
      if (missing.length) {
        // Point to the first rating still to choose instead of a round trip to the server.
        event.preventDefault();
        showMissing();
        missing[0].scrollIntoView({block: "center"});
        var first = missing[0].querySelector("input");
        if (first) { first.focus({preventScroll: true}); }
        return;
      }
      var button = form.querySelector("button[type=submit]");
      if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
    });
  });
  var problems = document.getElementById("form-problems");
  if (problems) { problems.focus(); }
})();
