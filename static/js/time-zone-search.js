// Profile: a search box that narrows the grouped time-zone list. Without this script the box
// stays hidden and the list still works (grouped by region; typing a city's first letters jumps
// to it). The number of matches is announced politely.
(function () {
  "use strict";
  var box = document.getElementById("time-zone-search");
  var select = document.getElementById("id_time_zone");
  if (!box || !select) { return; }
  var input = document.getElementById("time-zone-search-input");
  var status = document.getElementById("time-zone-search-status");
  var field = select.closest(".mb-3") || select;
  field.parentNode.insertBefore(box, field);
  box.hidden = false;

  function simple(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[_/]/g, " ").toLowerCase();
  }

  function filter() {
    var words = simple(input.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
      var visible = 0;
      Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
        var text = simple(group.label + " " + option.text + " " + option.value);
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        option.hidden = !match && !option.selected;
        if (match) { visible += 1; }
      });
      group.hidden = visible === 0 && !group.querySelector("option:checked");
      shown += visible;
    });
    if (!words.length) {
      status.textContent = "";
    } else if (shown === 0) {
      status.textContent = box.getAttribute("data-none");
    } else {
      status.textContent = box.getAttribute("data-some").replace("{number}", String(shown));
    }
  }

  var timer = null;
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(filter, 250);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();  // Enter here narrows the list; it does not send the form
      filter();
    }
  });
})();
