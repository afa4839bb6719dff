// needlesafe follow-up (issue 15): photos sent with a check-in, the live inbox's sound and
// flash, and marking the two areas of a photo to measure. Every page works without it.
(function () {
  "use strict";
  if (window.needlesafeFollowup) return; // loaded by more than one partial
  window.needlesafeFollowup = { beeps: 0, cues: 0 };

  // ------------------------------------------------------------ photos with the check-in
  var held = null; // the photos chosen in the check-in form, sent once the answer is shown

  function showHoldFields() {
    document.querySelectorAll("[data-photo-hold-field]").forEach(function (field) {
      field.hidden = false;
    });
  }
  document.addEventListener("DOMContentLoaded", showHoldFields);
  document.addEventListener("htmx:afterSettle", showHoldFields);

  document.addEventListener("change", function (event) {
    var input = event.target.closest("[data-photo-hold]");
    if (!input) return;
    var files = Array.prototype.slice.call(input.files || [], 0, 3);
    held = files.length ? files : null;
    var note = input.parentNode.querySelector("[data-photo-chosen]");
    if (note) {
      note.textContent = files.length
        ? files.length + (files.length === 1 ? " photo" : " photos") + " ready to send" +
          ((input.files.length > 3) ? " (only the first 3)." : ".")
        : "";
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!held) return;
    var form = document.querySelector("form[data-photo-form]");
    if (!form) return; // the check-in was not saved yet (a problem to fix): keep them
    var input = form.querySelector("input[type=file]");
    var transfer = new DataTransfer();
    held.forEach(function (file) { transfer.items.add(file); });
    held = null;
    input.files = transfer.files;
    form.requestSubmit();
  });

  // ------------------------------------------------------------ the live inbox
  var audio = null;
  var soundWanted = false;
  try { soundWanted = localStorage.getItem("needlesafe.alertSound") === "on"; } catch (e) { }

  function beep() {
    if (!soundWanted) return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
      [0, 0.25].forEach(function (start) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = "sine";
        osc.frequency.value = start ? 660 : 880;
        gain.gain.setValueAtTime(0.25, audio.currentTime + start);
        gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + start + 0.2);
        osc.connect(gain).connect(audio.destination);
        osc.start(audio.currentTime + start);
        osc.stop(audio.currentTime + start + 0.21);
      });
      window.needlesafeFollowup.beeps += 1;
    } catch (e) { /* no sound on this browser: the flash and the title still show it */ }
  }

  function syncToggle(root) {
    var button = (root || document).querySelector("[data-sound-toggle]");
    if (!button) return;
    button.setAttribute("aria-pressed", soundWanted ? "true" : "false");
    button.textContent = soundWanted ? "Alert sound is on" : "Turn on the alert sound";
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-sound-toggle]");
    if (!button) return;
    soundWanted = !soundWanted;
    try { localStorage.setItem("needlesafe.alertSound", soundWanted ? "on" : "off"); } catch (e) { }
    if (soundWanted) {
      // a click lets the page make sound from now on (browsers ask for one)
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      audio.resume();
    }
    syncToggle();
  });

  var baseTitle = document.title;
  function cue(section) {
    var newest = parseInt(section.getAttribute("data-newest-alert") || "0", 10);
    var open = parseInt(section.getAttribute("data-open-alerts") || "0", 10);
    var seen = parseInt(sessionStorage.getItem("needlesafe.seenAlert") || "0", 10);
    document.title = open ? "(" + open + " alert" + (open === 1 ? "" : "s") + ") " + baseTitle : baseTitle;
    if (open && newest > seen) {
      section.classList.add("live-new");
      window.needlesafeFollowup.cues += 1;
      beep();
    }
    if (newest > seen) sessionStorage.setItem("needlesafe.seenAlert", String(newest));
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var section = document.getElementById("live-inbox");
    if (!section || section.getAttribute("data-cued") === "1") return;
    section.setAttribute("data-cued", "1");
    syncToggle(section);
    cue(section);
  });

  // a check-in marked handled on its card leaves the alerts at once, not at the next poll
  document.addEventListener("htmx:afterRequest", function (event) {
    var live = document.getElementById("live-inbox");
    if (live && event.detail.successful && event.detail.elt.closest(".handle-form")) {
      htmx.trigger(live, "refresh");
    }
  });

  // ------------------------------------------------------------ marking a photo's areas
  function drawMark(frame, which, box) {
    var img = frame.querySelector("img");
    var scale = parseInt(frame.getAttribute("data-width"), 10) / (img.clientWidth || 1);
    var mark = frame.querySelector(".mark-" + which) || document.createElement("span");
    var width = parseInt(frame.getAttribute("data-width"), 10);
    // a mark on the right half carries its tag on its right edge: the tag stays on the photo
    mark.className = "mark mark-" + which + (box[0] + box[2] / 2 > width / 2 ? " flip" : "");
    mark.style.left = (box[0] / scale) + "px";
    mark.style.top = (box[1] / scale) + "px";
    mark.style.width = (box[2] / scale) + "px";
    mark.style.height = (box[3] / scale) + "px";
    frame.appendChild(mark);
  }

  // the areas a stored measurement used, drawn on its photo
  function showMeasuredAreas() {
    document.querySelectorAll("[data-photo-marker][data-treated]").forEach(function (frame) {
      var img = frame.querySelector("img");
      var draw = function () {
        ["treated", "reference"].forEach(function (which) {
          drawMark(frame, which, frame.getAttribute("data-" + which).split(",").map(Number));
        });
      };
      if (img.complete) draw(); else img.addEventListener("load", draw, { once: true });
    });
  }
  document.addEventListener("htmx:afterSettle", showMeasuredAreas);

  document.addEventListener("click", function (event) {
    var frame = event.target.closest("[data-photo-marker]");
    if (!frame || event.target.tagName !== "IMG") return;
    var img = event.target;
    var figure = frame.closest("figure");
    var form = figure && figure.querySelector("form");
    if (!form) return;
    var rect = img.getBoundingClientRect();
    var scale = parseInt(frame.getAttribute("data-width"), 10) / rect.width;
    var naturalH = parseInt(frame.getAttribute("data-height"), 10);
    var naturalW = parseInt(frame.getAttribute("data-width"), 10);
    var size = Math.max(8, Math.round(Math.min(naturalW, naturalH) * 0.08));
    var cx = (event.clientX - rect.left) * scale;
    var cy = (event.clientY - rect.top) * scale;
    var x = Math.max(0, Math.min(naturalW - size, Math.round(cx - size / 2)));
    var y = Math.max(0, Math.min(naturalH - size, Math.round(cy - size / 2)));
    var which = frame.getAttribute("data-next") === "reference" ? "reference" : "treated";
    form.querySelector("[data-box=" + which + "]").value = [x, y, size, size].join(",");
    frame.setAttribute("data-next", which === "treated" ? "reference" : "treated");
    drawMark(frame, which, [x, y, size, size]);
  });
  // ------------------------------------------------------------ the patient marks a photo
  // Two taps on the photo (treated skin, then skin that was not treated) set exact boxes and
  // tick the matching place of the nine; ticking a place by hand (keyboard, screen reader)
  // uses that place instead. Without this script the nine places alone do the job.
  var GRID = 3;

  function frameSize(frame) {
    return [parseInt(frame.getAttribute("data-width"), 10), parseInt(frame.getAttribute("data-height"), 10)];
  }

  function gridBox(frame, cell) {
    var size = frameSize(frame);
    var row = Math.floor((cell - 1) / GRID), col = (cell - 1) % GRID;
    var w = size[0] / GRID, h = size[1] / GRID;
    return [Math.floor(col * w + w / 4), Math.floor(row * h + h / 4), Math.max(1, Math.floor(w / 2)), Math.max(1, Math.floor(h / 2))];
  }

  function markStatus(form, text) {
    var status = form.querySelector("[data-mark-status]");
    if (status) status.textContent = text;
  }

  function showChosen(form) {
    var frame = form.querySelector("[data-photo-marker][data-patient]");
    if (!frame) return;
    ["treated", "reference"].forEach(function (which) {
      var box = form.querySelector("[data-box=" + which + "]").value;
      var radio = form.querySelector("input[name=" + which + "_cell]:checked");
      if (box) drawMark(frame, which, box.split(",").map(Number));
      else if (radio) drawMark(frame, which, gridBox(frame, parseInt(radio.value, 10)));
    });
  }

  function setUpMarkForms() {
    document.querySelectorAll("form[data-mark-form]").forEach(function (form) {
      if (form.getAttribute("data-ready") === "1") return;
      form.setAttribute("data-ready", "1");
      var tap = form.querySelector("[data-tap-help]");
      var choose = form.querySelector("[data-choose-help]");
      if (tap) tap.hidden = false;
      if (choose) choose.textContent = "Or choose the two places below.";
      var img = form.querySelector("[data-photo-marker][data-patient] img");
      if (!img) return;
      if (img.complete) showChosen(form); else img.addEventListener("load", function () { showChosen(form); }, { once: true });
    });
    var done = document.querySelector("[data-mark-done]");
    if (done && done.getAttribute("data-focused") !== "1") {
      done.setAttribute("data-focused", "1");
      done.focus();
    }
  }
  document.addEventListener("DOMContentLoaded", setUpMarkForms);
  document.addEventListener("htmx:afterSettle", setUpMarkForms);
  window.addEventListener("resize", function () {
    document.querySelectorAll("form[data-mark-form]").forEach(showChosen);
  });

  document.addEventListener("click", function (event) {
    var frame = event.target.closest("[data-photo-marker][data-patient]");
    if (!frame || event.target.tagName !== "IMG") return;
    var form = frame.closest("form");
    var img = event.target;
    var rect = img.getBoundingClientRect();
    var size = frameSize(frame);
    var scale = size[0] / rect.width;
    var side = Math.max(8, Math.round(Math.min(size[0], size[1]) * 0.1));
    var cx = (event.clientX - rect.left) * scale, cy = (event.clientY - rect.top) * scale;
    var x = Math.max(0, Math.min(size[0] - side, Math.round(cx - side / 2)));
    var y = Math.max(0, Math.min(size[1] - side, Math.round(cy - side / 2)));
    var which = frame.getAttribute("data-next") === "reference" ? "reference" : "treated";
    form.querySelector("[data-box=" + which + "]").value = [x, y, side, side].join(",");
    var col = Math.min(GRID - 1, Math.floor(cx / (size[0] / GRID)));
    var row = Math.min(GRID - 1, Math.floor(cy / (size[1] / GRID)));
    var radio = form.querySelector("input[name=" + which + "_cell][value='" + (row * GRID + col + 1) + "']");
    if (radio) radio.checked = true;
    drawMark(frame, which, [x, y, side, side]);
    frame.setAttribute("data-next", which === "treated" ? "reference" : "treated");
    markStatus(form, which === "treated"
      ? "Treated skin marked. Now tap skin that was not treated."
      : "Both places marked. Press Send these places, or tap again to change them.");
  });

  document.addEventListener("change", function (event) {
    var radio = event.target;
    if (!radio.matches || !radio.matches("form[data-mark-form] input[type=radio]")) return;
    var form = radio.closest("form");
    var which = radio.name === "treated_cell" ? "treated" : "reference";
    form.querySelector("[data-box=" + which + "]").value = "";  // the place chosen wins
    var frame = form.querySelector("[data-photo-marker][data-patient]");
    if (frame) drawMark(frame, which, gridBox(frame, parseInt(radio.value, 10)));
  });
  // ------------------------------------------------------------ the inbox's photo strips
  // Every card's strip in one request, however many cards the page holds (and again for a
  // card htmx brings back, such as one just marked handled).
  var stripsPending = false;
  function loadStrips() {
    if (stripsPending) return;
    var empty = Array.prototype.slice.call(document.querySelectorAll("[data-checkin-photos]:not([data-loaded])"));
    if (!empty.length) return;
    var ids = empty.map(function (el) { el.setAttribute("data-loaded", "1"); return el.getAttribute("data-checkin-photos"); });
    stripsPending = true;
    fetch("/inbox/photo-strips?ids=" + encodeURIComponent(ids.join(",")), { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (answer) { return answer.ok ? answer.text() : ""; })
      .then(function (html) {
        var found = new DOMParser().parseFromString(html, "text/html").querySelectorAll("template[data-for]");
        Array.prototype.forEach.call(found, function (template) {
          var slot = document.querySelector("[data-checkin-photos='" + template.getAttribute("data-for") + "']");
          if (slot) slot.replaceChildren(document.importNode(template.content, true));
        });
      })
      .catch(function () { /* the strips are extra: the cards stand without them */ })
      .then(function () { stripsPending = false; loadStrips(); });
  }
  document.addEventListener("DOMContentLoaded", loadStrips);
  document.addEventListener("htmx:afterSettle", loadStrips);
  if (document.readyState !== "loading") loadStrips();
})();
