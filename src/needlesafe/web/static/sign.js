// needlesafe: the patient's signature pad on the consent signing page (no library, no inline
// script). Draws with pointer events on <canvas id="f-signature">, puts the drawing into the
// hidden field "signature" as a PNG data URL when the form is sent, and shows only the part
// (draw or type) the patient chose. Without this file the "type my name" way still works.
(function () {
  "use strict";
  var form = document.getElementById("patient-sign");
  var canvas = document.getElementById("f-signature");
  if (!form || !canvas || !canvas.getContext) return;
  var field = document.getElementById("signature-data");
  var clear = document.getElementById("clear-signature");
  var drawnPart = document.getElementById("drawn-part");
  var typedPart = document.getElementById("typed-part");
  var ctx = canvas.getContext("2d");
  var drawing = false;
  var inked = false;
  var last = null;

  function pen() {
    ctx.lineWidth = 3.5;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#14203c";
  }
  pen();

  function point(event) {
    var box = canvas.getBoundingClientRect();
    return {
      x: (event.clientX - box.left) * (canvas.width / box.width),
      y: (event.clientY - box.top) * (canvas.height / box.height)
    };
  }

  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    drawing = true;
    last = point(event);
    if (canvas.setPointerCapture) canvas.setPointerCapture(event.pointerId);
    ctx.beginPath();
    ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, Math.PI * 2);
    ctx.fillStyle = ctx.strokeStyle;
    ctx.fill();
    inked = true;
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) return;
    event.preventDefault();
    var next = point(event);
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    ctx.lineTo(next.x, next.y);
    ctx.stroke();
    last = next;
    inked = true;
  });
  function stop() { drawing = false; last = null; }
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  canvas.addEventListener("pointerleave", stop);

  if (clear) {
    clear.addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      inked = false;
      if (field) field.value = "";
    });
  }

  // a drawing sent before (the form came back with a problem elsewhere): show it again
  if (field && field.value.indexOf("data:image/png;base64,") === 0) {
    var image = new Image();
    image.onload = function () { ctx.drawImage(image, 0, 0); inked = true; };
    image.src = field.value;
  }

  function chosen() {
    var checked = form.querySelector("input[name=method]:checked");
    return checked ? checked.value : "";
  }
  function showChosen() {
    var method = chosen();
    if (drawnPart) drawnPart.hidden = method !== "drawn";
    if (typedPart) typedPart.hidden = method !== "typed";
  }
  form.addEventListener("change", function (event) {
    if (event.target && event.target.name === "method") showChosen();
  });
  showChosen();

  form.addEventListener("submit", function () {
    if (!field) return;
    field.value = chosen() === "drawn" && inked ? canvas.toDataURL("image/png") : "";
  });

  // after a refused form, move focus to the list of what to fix
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
