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
    mark.className = "mark mark-" + which;
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
})();
