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

  // After htmx puts an answer on the page, move keyboard and screen-reader focus to it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var heading = event.detail.target.querySelector("#answer-title");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  });
})();
