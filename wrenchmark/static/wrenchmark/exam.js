// The exam page. The server holds the only clock and the only copy of what counts:
// - the countdown starts from the server's remaining time and runs on performance.now(), never Date;
//   every acknowledgement resets it to the server's figure;
// - every choice is queued (and kept in localStorage) with a sequence number, sent at once, and shown
//   as saved only when the server acknowledges that sequence; failed sends are retried until they land.
(function () {
  "use strict";
  var root = document.getElementById("exam");
  if (!root) { return; }
  var text = JSON.parse(document.getElementById("exam-text").textContent);
  var api = root.getAttribute("data-api");
  var attempt = root.getAttribute("data-attempt");
  var total = Number(root.getAttribute("data-total"));
  var reportUrl = root.getAttribute("data-report");
  var queueKey = "wm-queue-" + attempt;
  var seqKey = "wm-seq-" + attempt;
  var remainingMs = Number(root.getAttribute("data-remaining-ms"));
  var clockBase = performance.now();
  var position = Number(document.querySelector("#question .question").getAttribute("data-position"));
  var warned = {};
  var queue = JSON.parse(localStorage.getItem(queueKey) || "[]");
  var seq = Number(localStorage.getItem(seqKey) || "0");
  var sending = false;
  var retryDelay = 1000;
  var ending = false;

  function csrf() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function request(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: body ? JSON.stringify(body) : undefined
    });
  }

  function setRemaining(ms) { remainingMs = ms; clockBase = performance.now(); }
  function leftMs() { return Math.max(0, remainingMs - (performance.now() - clockBase)); }

  function status(message, offline) {
    var el = document.getElementById("save-status");
    el.textContent = message;
    el.classList.toggle("offline", Boolean(offline));
  }

  function persist() {
    localStorage.setItem(queueKey, JSON.stringify(queue));
    localStorage.setItem(seqKey, String(seq));
  }

  function finish() {
    if (ending) { return; }
    ending = true;
    status(text.ended, false);
    flushThen(function () {
      request("POST", api + "/submit").then(function () { window.location.assign(reportUrl); },
        function () { window.location.assign(reportUrl); });
    });
  }

  function handleRefusal(response) {
    return response.json().then(function (body) {
      if (body.code === "other_session") { status(text.other, true); window.location.reload(); return; }
      queue = []; persist();
      window.location.assign(reportUrl);
    });
  }

  function send() {
    if (sending || queue.length === 0) { return; }
    sending = true;
    var entry = queue[0];
    status(text.saving, false);
    request("POST", api + "/responses", entry).then(function (response) {
      sending = false;
      if (response.status === 409) { return handleRefusal(response); }
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json().then(function (ack) {
        queue = queue.filter(function (e) { return !(e.form_item === ack.form_item && e.seq <= ack.seq); });
        persist();
        setRemaining(ack.remaining_ms);
        retryDelay = 1000;
        markNavigator(entry);
        if (queue.length === 0) { status(text.saved, false); } else { send(); }
      });
    }).catch(function () {
      sending = false;
      status(text.offline, true);
      window.setTimeout(send, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 10000);
    });
  }

  function flushThen(done) {
    if (queue.length === 0 && !sending) { done(); return; }
    send();
    window.setTimeout(function () { flushThen(done); }, 200);
  }

  function currentFormItem() { return Number(document.querySelector("#question .question").getAttribute("data-form-item")); }
  function currentChoice() {
    var checked = document.querySelector("#question input[name=answer]:checked");
    return checked ? checked.value : null;
  }
  function currentFlag() { var box = document.getElementById("flag-box"); return Boolean(box && box.checked); }

  function enqueue() {
    seq += 1;
    var entry = { form_item: currentFormItem(), choice: currentChoice(), flagged: currentFlag(), seq: seq, position: position };
    queue.push(entry);
    persist();
    send();
  }

  function markNavigator(entry) {
    var index = entry.position;
    var cells = document.querySelectorAll(".navigator [data-goto]");
    cells.forEach(function (cell) { cell.classList.toggle("current", Number(cell.getAttribute("data-goto")) === position); });
    if (entry.form_item !== currentFormItem() && index !== position) { return; }
    var cell = document.querySelector(".navigator [data-goto='" + position + "']");
    if (cell && entry.form_item === currentFormItem()) {
      cell.classList.toggle("answered", entry.choice !== null);
      cell.classList.toggle("flagged", entry.flagged);
    }
  }

  function load(target, language) {
    if (target < 0 || target >= total) { return; }
    var url = api + "/questions/" + target + (language ? "?language=" + language : "");
    request("GET", url).then(function (response) {
      if (response.status === 409) { return handleRefusal(response); }
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json().then(function (q) {
        position = q.position;
        document.getElementById("question").innerHTML = q.html;
        setRemaining(q.remaining_ms);
        document.getElementById("review-screen").hidden = true;
        document.getElementById("question").hidden = false;
        var heading = document.getElementById("question-heading");
        if (heading) { heading.focus(); }
        document.querySelectorAll(".navigator [data-goto]").forEach(function (cell) {
          cell.classList.toggle("current", Number(cell.getAttribute("data-goto")) === position);
        });
        // Record where the candidate is, so a resume returns here.
        if (!language) { enqueue(); }
      });
    }).catch(function () { status(text.offline, true); });
  }

  function showReview() {
    flushThen(function () {
      request("GET", api).then(function (r) { return r.json(); }).then(function (state) {
        var list = document.getElementById("review-list");
        list.innerHTML = "";
        var unanswered = 0, flagged = 0;
        state.navigator.forEach(function (cell) {
          if (!cell.answered) { unanswered += 1; }
          if (cell.flagged) { flagged += 1; }
          if (!cell.answered || cell.flagged) {
            var li = document.createElement("li");
            var button = document.createElement("button");
            button.type = "button"; button.className = "link-button";
            button.textContent = text.question + " " + cell.number + ": " + [!cell.answered ? text.unanswered : "", cell.flagged ? text.flagged : ""].filter(Boolean).join(", ");
            button.addEventListener("click", function () { load(cell.position); });
            li.appendChild(button); list.appendChild(li);
          }
        });
        document.getElementById("review-summary").textContent = unanswered + " " + text.unanswered + ", " + flagged + " " + text.flagged;
        document.getElementById("question").hidden = true;
        document.getElementById("review-screen").hidden = false;
        document.getElementById("review-h").focus();
        setRemaining(state.remaining_ms);
      });
    });
  }

  function tick() {
    var ms = leftMs();
    var seconds = Math.ceil(ms / 1000);
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    document.getElementById("timer").textContent = (h ? h + ":" + String(m).padStart(2, "0") : String(m)) + ":" + String(s).padStart(2, "0");
    document.querySelector(".exam-timer").classList.toggle("low", ms < 5 * 60 * 1000);
    [15, 5, 1].forEach(function (minutes) {
      if (!warned[minutes] && ms <= minutes * 60000 && ms > 0) {
        warned[minutes] = true;
        document.getElementById("timer-warning").textContent = minutes + " " + text.minutes;
      }
    });
    if (ms <= 0) { finish(); }
  }

  document.getElementById("question").addEventListener("change", function (event) {
    if (event.target.name === "answer" || event.target.id === "flag-box") { enqueue(); }
  });
  document.getElementById("question").addEventListener("click", function (event) {
    var language = event.target.getAttribute && event.target.getAttribute("data-language");
    if (language) { load(position, language); return; }
    var figure = event.target.closest && event.target.closest(".exhibit");
    if (figure) { figure.classList.toggle("zoomed"); }
  });
  document.querySelectorAll(".navigator [data-goto]").forEach(function (cell) {
    cell.addEventListener("click", function () { load(Number(cell.getAttribute("data-goto"))); });
  });
  document.getElementById("prev").addEventListener("click", function () { load(position - 1); });
  document.getElementById("next").addEventListener("click", function () { load(position + 1); });
  document.getElementById("review").addEventListener("click", showReview);
  document.getElementById("back-to-test").addEventListener("click", function () { load(position); });
  document.getElementById("submit").addEventListener("click", function () {
    if (window.confirm(text.confirm)) { finish(); }
  });
  window.addEventListener("online", send);

  // Sequence numbers must stay above anything the server already holds (another device, a cleared cache).
  request("GET", api).then(function (r) { return r.json(); }).then(function (state) {
    state.navigator.forEach(function (cell) { seq = Math.max(seq, cell.seq); });
    persist();
    setRemaining(state.remaining_ms);
    send();
  }).catch(function () { status(text.offline, true); });
  document.querySelectorAll(".navigator [data-goto]").forEach(function (cell) {
    cell.classList.toggle("current", Number(cell.getAttribute("data-goto")) === position);
  });
  tick();
  window.setInterval(tick, 500);
}());
