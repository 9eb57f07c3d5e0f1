// Small behaviours shared by every page; no inline scripts anywhere (CSP).
(function () {
  "use strict";

  // <form data-autosubmit>: submit as soon as a select changes.
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && event.target.matches("select")) {
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });

  // <form data-confirm="Are you sure?">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
  // <button data-copy="text">: copy the text to the clipboard.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) {
      return;
    }
    navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
      button.classList.add("btn-success");
      window.setTimeout(function () {
        button.classList.remove("btn-success");
      }, 1200);
    });
  });

  // <button data-print>: print the page (the print stylesheet hides the rest).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });

  // <form data-ctrl-enter>: Ctrl+Enter (or Cmd+Enter) saves from any field.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var form = event.target.closest && event.target.closest("form[data-ctrl-enter]");
      if (form) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }
    }
  });
})();
