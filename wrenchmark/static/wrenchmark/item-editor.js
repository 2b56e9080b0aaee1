// The item editor's live preview: the form is posted (unsaved) to the preview view, which renders it
// with the exam page's own template and the linter's findings. Tech A/B items hide the written options.
(function () {
  "use strict";
  var form = document.getElementById("item-editor");
  if (!form) { return; }
  var target = document.getElementById("item-preview");
  var style = form.querySelector("[name=style]");
  var labels = ["A only", "B only", "Both A and B", "Neither A nor B"];
  var timer = null;
  var pending = null;

  function toggleStyle() {
    var techAb = style.value === "tech_ab";
    document.getElementById("tech-ab-fields").hidden = !techAb;
    form.querySelectorAll(".written-option").forEach(function (el) { el.hidden = techAb; });
    form.querySelectorAll(".tech-ab-option").forEach(function (el) { el.hidden = !techAb; });
    form.querySelectorAll("[data-tech-ab-label]").forEach(function (el) {
      el.textContent = labels[Number(el.getAttribute("data-tech-ab-label"))];
    });
  }

  function refresh() {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      signal: pending.signal,
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.ok ? response.text() : Promise.reject(response.status);
    }).then(function (html) {
      target.innerHTML = html;
    }).catch(function (error) {
      if (error && error.name === "AbortError") { return; }
      target.innerHTML = "<p class=\"status-rejected\">Preview unavailable; your text is safe in the form.</p>";
    });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 300);
  }

  // Offer only the content areas of the chosen test (their labels start with the test code).
  var test = form.querySelector("[name=test]");
  var area = form.querySelector("[name=area]");
  var allAreas = Array.prototype.slice.call(area.options);
  function filterAreas() {
    var code = test.options[test.selectedIndex] ? test.options[test.selectedIndex].text.split(" ")[0] : "";
    var chosen = area.value;
    area.innerHTML = "";
    allAreas.forEach(function (option) {
      if (!option.value || option.text.indexOf(code + " ") === 0) { area.appendChild(option); }
    });
    area.value = chosen;
    if (area.selectedIndex < 0) { area.selectedIndex = 0; }
  }
  test.addEventListener("change", filterAreas);
  filterAreas();

  style.addEventListener("change", toggleStyle);
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  toggleStyle();
  refresh();
}());
