// Check-in form: a live character count for the free-text boxes, and one submit per tap.
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
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
    });
  });
  var problems = document.getElementById("form-problems");
  if (problems) { problems.focus(); }
})();
