// The exam page. The server holds the only clock and the only copy of what counts:
// - the countdown starts from the server's remaining time and runs on performance.now(), never Date;
//   every acknowledgement resets it to the server's figure;
// - every choice is queued (and kept in localStorage) with a sequence number, sent at once, and shown
//   as saved only when the server acknowledges that sequence; failed sends are retried until they land;
// - questions already shown stay on the page, so the candidate can move between them while offline, and
//   every question shows the latest choice made here, sent or not.
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
  var offline = false;
  var retryDelay = 1000;
  var ending = false;
  var paused = false;
  var seen = {};
  var latest = {};
  var nav = document.querySelector(".navigator");
  var navToggle = document.getElementById("navigator-toggle");
  queue.forEach(function (entry) { latest[entry.form_item] = { choice: entry.choice, flagged: entry.flagged }; });

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
  function leftMs() {
    if (paused) { return Math.max(0, remainingMs); }  // the proctor stopped the clock
    return Math.max(0, remainingMs - (performance.now() - clockBase));
  }
  function setPaused(on) {
    if (on && !paused) { remainingMs = leftMs(); }
    paused = on;
    clockBase = performance.now();
  }

  function status(message, isOffline) {
    var el = document.getElementById("save-status");
    offline = Boolean(isOffline);
    el.textContent = message;
    el.classList.toggle("offline", offline);
  }

  function persist() {
    localStorage.setItem(queueKey, JSON.stringify(queue));
    localStorage.setItem(seqKey, String(seq));
  }

  function finish() {
    if (ending) { return; }
    ending = true;
    status(text.ended, false);
    var delay = 1000;
    function submit() {
      request("POST", api + "/submit").then(function (response) {
        // 2xx: scored; 409: already ended (the report says how). Anything else is temporary: try again.
        if (response.ok || response.status === 409) { window.location.assign(reportUrl); return; }
        throw new Error("HTTP " + response.status);
      }).catch(function () {
        status(text.offline, true);
        window.setTimeout(submit, delay + Math.random() * 500);
        delay = Math.min(delay * 2, 10000);
      });
    }
    flushThen(submit);
  }

  function handleRefusal(response, retry) {
    return response.json().then(function (body) {
      if (body.code === "other_session") { status(text.other, true); window.location.reload(); return; }
      if (body.code === "paused") {
        // Paused by the proctor: keep every queued answer and ask again until the test resumes.
        setPaused(true);
        status(text.paused, true);
        window.setTimeout(retry, 3000);
        return;
      }
      queue = []; persist();
      window.location.assign(reportUrl);
    });
  }

  function send() {
    if (sending || queue.length === 0) { return; }
    sending = true;
    var entry = queue[0];
    if (!offline) { status(text.saving, false); }
    request("POST", api + "/responses", entry).then(function (response) {
      sending = false;
      if (response.status === 409) { return handleRefusal(response, send); }
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      setPaused(false);
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
    latest[entry.form_item] = { choice: entry.choice, flagged: entry.flagged };
    queue.push(entry);
    persist();
    send();
  }

  // Marks the question an acknowledged save was for, in the navigator's look and in its spoken name.
  function markNavigator(entry) {
    var cell = document.querySelector(".navigator [data-goto='" + entry.position + "']");
    if (!cell) { return; }
    cell.classList.toggle("answered", entry.choice !== null);
    cell.classList.toggle("flagged", entry.flagged);
    cell.setAttribute("aria-label", text.question + " " + cell.textContent.trim() + ", " +
      (entry.choice !== null ? text.answered : text.notAnswered) + (entry.flagged ? ", " + text.flagged : ""));
  }

  function markCurrent() {
    document.querySelectorAll(".navigator [data-goto]").forEach(function (cell) {
      var current = Number(cell.getAttribute("data-goto")) === position;
      cell.classList.toggle("current", current);
      if (current) { cell.setAttribute("aria-current", "step"); } else { cell.removeAttribute("aria-current"); }
    });
  }

  function openNavigator(open) {
    nav.classList.toggle("open", open);
    navToggle.setAttribute("aria-expanded", String(open));
  }

  // The server renders what it holds; a choice still waiting to be sent is newer.
  function showLatest() {
    var state = latest[currentFormItem()];
    if (!state) { return; }
    document.querySelectorAll("#question input[name=answer]").forEach(function (input) { input.checked = input.value === state.choice; });
    var box = document.getElementById("flag-box");
    if (box) { box.checked = state.flagged; }
  }

  function show(q) {
    position = q.position;
    document.getElementById("question").innerHTML = q.html;
    showLatest();
    document.getElementById("review-screen").hidden = true;
    document.getElementById("question").hidden = false;
    openNavigator(false);
    markCurrent();
    var heading = document.getElementById("question-heading");
    if (heading) { heading.focus(); }
  }

  function load(target, language) {
    if (target < 0 || target >= total) { return; }
    var url = api + "/questions/" + target + (language ? "?language=" + language : "");
    request("GET", url).then(function (response) {
      if (response.status === 409) { return handleRefusal(response, function () { load(target, language); }); }
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      setPaused(false);
      return response.json().then(function (q) {
        seen[q.position] = { position: q.position, html: q.html };
        setRemaining(q.remaining_ms);
        show(q);
        // Record where the candidate is, so a resume returns here.
        if (!language) { enqueue(); }
      });
    }).catch(function () {
      status(text.offline, true);
      if (!language && seen[target]) { show(seen[target]); enqueue(); }
    });
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
        document.getElementById("timer-warning").textContent = minutes + " " + (minutes === 1 ? text.minute : text.minutes);
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
  navToggle.addEventListener("click", function () { openNavigator(!nav.classList.contains("open")); });
  document.getElementById("prev").addEventListener("click", function () { load(position - 1); });
  document.getElementById("next").addEventListener("click", function () { load(position + 1); });
  document.getElementById("review").addEventListener("click", showReview);
  document.getElementById("back-to-test").addEventListener("click", function () { load(position); });
  document.getElementById("submit").addEventListener("click", function () {
    if (window.confirm(text.confirm)) { finish(); }
  });
  window.addEventListener("offline", function () { status(text.offline, true); });
  window.addEventListener("online", function () {
    if (queue.length === 0 && !ending) { status(text.saved, false); }
    send();
  });

  // Sequence numbers must stay above anything the server already holds (another device, a cleared cache).
  request("GET", api).then(function (r) { return r.json(); }).then(function (state) {
    state.navigator.forEach(function (cell) { seq = Math.max(seq, cell.seq); });
    persist();
    setRemaining(state.remaining_ms);
    send();
  }).catch(function () { status(text.offline, true); });
  seen[position] = { position: position, html: document.getElementById("question").innerHTML };
  showLatest();
  if (queue.length > 0) { status(text.saving, false); }
  markCurrent();
  var heading = document.getElementById("question-heading");
  if (heading) { heading.focus(); }
  tick();
  window.setInterval(tick, 500);
}());
