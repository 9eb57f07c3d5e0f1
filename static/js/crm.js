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

  // <a data-follow-query="format">, <input data-follow-query>: exports, "add to a campaign"
  // and "save as a list" carry the list's filters. Filters applied by htmx change the address
  // without a reload, so these follow the new query (keeping their own named parameters).
  function followQuery() {
    // The page's filters, without the page (number or cursor) and the empty ones.
    var current = new URLSearchParams();
    new URLSearchParams(window.location.search).forEach(function (value, name) {
      if (value !== "" && name !== "page" && name !== "after" && name !== "before") {
        current.append(name, value);
      }
    });
    document.querySelectorAll("[data-follow-query]").forEach(function (element) {
      if (element.tagName !== "A") {
        element.value = current.toString();
        return;
      }
      var url = new URL(element.getAttribute("href"), window.location.href);
      var params = new URLSearchParams(current);
      (element.getAttribute("data-follow-query") || "").split(/\s+/).forEach(function (name) {
        if (name && url.searchParams.has(name)) {
          params.set(name, url.searchParams.get(name));
        }
      });
      url.search = params.toString();
      element.setAttribute("href", url.pathname + url.search);
    });
  }
  document.addEventListener("htmx:pushedIntoHistory", followQuery);
  document.addEventListener("htmx:historyRestore", followQuery);

  // <form data-dropzone>: files dropped on the form are sent at once; its file input
  // does the same without drag and drop (or without JavaScript, with its button).
  function dropzone(event) {
    return event.target.closest ? event.target.closest("form[data-dropzone]") : null;
  }
  document.addEventListener("dragover", function (event) {
    var zone = dropzone(event);
    if (zone) {
      event.preventDefault();
      zone.classList.add("dropping");
    }
  });
  document.addEventListener("dragleave", function (event) {
    var zone = dropzone(event);
    if (zone) {
      zone.classList.remove("dropping");
    }
  });
  document.addEventListener("drop", function (event) {
    var zone = dropzone(event);
    if (!zone || !event.dataTransfer || !event.dataTransfer.files.length) {
      return;
    }
    event.preventDefault();
    zone.classList.remove("dropping");
    zone.querySelector("input[type=file]").files = event.dataTransfer.files;
    zone.requestSubmit ? zone.requestSubmit() : zone.submit();
  });
  document.addEventListener("change", function (event) {
    var zone = event.target.matches("input[type=file]") ? event.target.closest("form[data-dropzone]") : null;
    if (zone && event.target.files.length) {
      zone.requestSubmit ? zone.requestSubmit() : zone.submit();
    }
  });

  // <form data-open-outside>: the answer names an outside address (a WhatsApp chat) and the
  // page to come back to. The chat opens in a new tab (opened during the click, so no popup
  // blocker stops it) and this tab goes back; a refusal is shown by submitting the form
  // the ordinary way. Without this script the form's answer opens the chat in this tab.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("form[data-open-outside]");
    if (!form || form.dataset.sending) {
      if (form) { event.preventDefault(); }
      return;
    }
    event.preventDefault();
    form.dataset.sending = "1";
    var tab = window.open("", "_blank");
    fetch(form.action || window.location.href, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (answer) {
      if (!answer.ok || !answer.data.open) { throw new Error("refused"); }
      if (tab) {
        tab.opener = null;
        tab.location.href = answer.data.open;
      } else {
        window.open(answer.data.open, "_blank", "noopener");
      }
      window.location.href = answer.data.next;
    }).catch(function () {
      if (tab) { tab.close(); }
      delete form.dataset.sending;
      form.removeAttribute("data-open-outside");
      form.submit();
    });
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

  // The bulk bar of a list (<form data-bulk id="bulk-KIND">): row checkboxes belong to it
  // through form="bulk-KIND"; it counts them, shows the value the chosen action needs,
  // and asks before applying to every row matching the filters.
  function bulkBoxes(form) {
    return document.querySelectorAll('input[name="ids"][form="' + form.id + '"]');
  }
  function bulkRefresh() {
    document.querySelectorAll("form[data-bulk]").forEach(function (form) {
      var checked = Array.prototype.filter.call(bulkBoxes(form), function (box) {
        return box.checked;
      }).length;
      var count = form.querySelector("[data-bulk-count]");
      if (count) {
        count.textContent = String(checked);
      }
      // On a phone the bar shows once a row is chosen (static/css/crm.css); its choices load then.
      form.classList.toggle("bulk-none", checked === 0);
      if (checked > 0 && !form.hasAttribute("data-bulk-opened")) {
        form.setAttribute("data-bulk-opened", "");
        form.dispatchEvent(new CustomEvent("bulk-open"));
      }
      var action = form.querySelector('select[name="action"]');
      var needed = action ? action.options[action.selectedIndex].getAttribute("data-needs") : "";
      form.querySelectorAll("[data-bulk-value]").forEach(function (field) {
        field.classList.toggle("d-none", field.getAttribute("data-bulk-value") !== needed);
      });
    });
  }
  document.addEventListener("change", function (event) {
    var all = event.target.closest && event.target.closest("[data-bulk-all]");
    if (all) {
      var form = document.getElementById(all.getAttribute("data-bulk-all"));
      bulkBoxes(form).forEach(function (box) {
        box.checked = all.checked;
      });
    }
    if (all || event.target.name === "ids" || event.target.closest("form[data-bulk]")) {
      bulkRefresh();
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm-all]");
    if (button && !window.confirm(button.getAttribute("data-confirm-all"))) {
      event.preventDefault();
    }
  });
  document.addEventListener("htmx:afterSwap", bulkRefresh);
  document.addEventListener("DOMContentLoaded", bulkRefresh);

  // The global search box: "/" goes to it, the arrow keys walk its results, Escape closes them.
  function typing(target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable]");
  }
  function searchResults() {
    return document.getElementById("global-search-results");
  }
  function closeSearch() {
    var results = searchResults();
    if (results) {
      results.innerHTML = "";
    }
  }
  document.addEventListener("keydown", function (event) {
    var results = searchResults();
    var inResults = results && results.contains(event.target);
    if (event.key === "Escape" && (event.target.id === "global-search" || inResults)) {
      closeSearch();
      document.getElementById("global-search").focus();
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (event.target.id !== "global-search" && !inResults) {
        return;
      }
      var links = Array.prototype.slice.call(results.querySelectorAll("a"));
      if (!links.length) {
        return;
      }
      event.preventDefault();
      var index = links.indexOf(document.activeElement);
      index = event.key === "ArrowDown" ? Math.min(index + 1, links.length - 1) : index - 1;
      if (index < 0) {
        document.getElementById("global-search").focus();
      } else {
        links[index].focus();
      }
    }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".global-search")) {
      closeSearch();
    }
  });

  // Keyboard shortcuts: a key outside text fields follows the help list's
  // <a data-shortcut="key"> ("/" focuses the search box where there is one); "?" shows the list.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || typing(event.target)) {
      return;
    }
    var help = document.getElementById("shortcuts-help");
    if (!help || help.classList.contains("show")) {
      return;
    }
    if (event.key === "?") {
      event.preventDefault();
      window.bootstrap.Modal.getOrCreateInstance(help).show();
      return;
    }
    var box = document.getElementById("global-search");
    if (event.key === "/" && box && box.offsetParent !== null) {
      event.preventDefault();
      box.focus();
      return;
    }
    var link = help.querySelector('[data-shortcut="' + (event.key === '"' ? "" : event.key) + '"]');
    if (link) {
      event.preventDefault();
      window.location.href = link.href;
    }
  });
})();
