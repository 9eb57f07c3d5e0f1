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
})();
