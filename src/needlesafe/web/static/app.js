// needlesafe pages: small progressive enhancements (every page works without this file).
(function () {
  "use strict";

  // "Copy link" buttons: <button data-copy="#input-id">
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.querySelector(button.getAttribute("data-copy"));
    var status = document.getElementById("copy-status");
    if (!field) return;
    var done = function () {
      if (status) status.textContent = "Copied. Paste it into a text message or an email.";
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy link"; }, 2500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        field.select();
        if (status) status.textContent = "Press Ctrl+C (or Cmd+C) to copy.";
      });
    } else {
      field.select();
      try { document.execCommand("copy"); done(); }
      catch (e) { if (status) status.textContent = "Press Ctrl+C (or Cmd+C) to copy."; }
    }
  });

  // htmx drops 4xx/5xx answers by default, so a form that failed would seem to do nothing.
  // Every page answers an error with HTML that says what to fix: swap it in like any answer.
  // A whole page (a form shown again with its messages, an expired link, an error page)
  // replaces the main content; a part (a card with its message) goes where it was aimed.
  var errorShown = false;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (detail.xhr.status < 400 || !detail.serverResponse) return;
    detail.shouldSwap = true;
    detail.isError = false;
    errorShown = true;
    if (/<main[\s>]/.test(detail.serverResponse)) {
      detail.target = document.getElementById("main");
      detail.selectOverride = "#main";
      detail.swapOverride = "outerHTML show:window:top";
    }
  });

  // After htmx puts an answer or a message on the page, move keyboard and screen-reader
  // focus to it: the answer's heading, else the summary of what to fix, else the first field
  // marked invalid.
  document.addEventListener("htmx:afterSettle", function () {
    var shown = errorShown;
    errorShown = false;
    var target = document.getElementById("answer-title");
    if (!target && shown) {
      target = document.getElementById("error-summary") ||
        document.querySelector("[aria-invalid=true]") ||
        document.querySelector("#main [role=alert]");
    }
    if (!target) return;
    if (!target.matches("input, select, textarea, button, a[href]")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  });
})();
