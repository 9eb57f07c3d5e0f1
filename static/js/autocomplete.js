// Search-as-you-type choices (crm.widgets.Autocomplete): htmx loads the
// matches; this file puts the chosen one into the hidden input.
(function () {
  "use strict";

  function box(element) {
    return element.closest("[data-autocomplete]");
  }

  function close(container) {
    var results = container.querySelector(".autocomplete-results");
    results.innerHTML = "";
    container.querySelector("[data-autocomplete-input]").setAttribute("aria-expanded", "false");
  }

  // Fill other fields of a form from a choice's data-fill ({name: [value, label]}): a
  // search-as-you-type field (its hidden value and its shown label) or a plain field.
  // Only empty fields, unless "always" (a project decides its client and contact).
  function fill(form, data, always) {
    Object.keys(data).forEach(function (name) {
      var value = data[name][0], label = data[name][1];
      var hidden = form.querySelector("[data-autocomplete] [data-autocomplete-value][name='" + name + "']");
      if (hidden) {
        if (always || hidden.value === "") {
          hidden.value = value;
          box(hidden).querySelector("[data-autocomplete-input]").value = label;
        }
        return;
      }
      var field = form.elements[name];
      if (field && (always || field.value === "")) {
        field.value = value;
      }
    });
  }

  function choose(container, option) {
    container.querySelector("[data-autocomplete-value]").value = option.getAttribute("data-value");
    container.querySelector("[data-autocomplete-input]").value = option.getAttribute("data-label");
    container.querySelector("[data-autocomplete-value]").dispatchEvent(new Event("change", { bubbles: true }));
    var form = container.closest("form");
    if (form && option.getAttribute("data-fill")) {
      fill(form, JSON.parse(option.getAttribute("data-fill")), false);
    }
    close(container);
  }

  // <select> whose options carry data-fill (crm.widgets.FillingSelect).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.tagName !== "SELECT" || !select.form) {
      return;
    }
    var option = select.options[select.selectedIndex];
    if (option && option.getAttribute("data-fill")) {
      fill(select.form, JSON.parse(option.getAttribute("data-fill")), true);
    }
  });

  document.addEventListener("click", function (event) {
    var option = event.target.closest("[data-autocomplete] [data-value]");
    if (option) {
      choose(box(option), option);
      return;
    }
    document.querySelectorAll("[data-autocomplete]").forEach(function (container) {
      if (!container.contains(event.target)) {
        close(container);
      }
    });
  });

  document.addEventListener("input", function (event) {
    if (event.target.matches("[data-autocomplete-input]") && event.target.value.trim() === "") {
      var hidden = box(event.target).querySelector("[data-autocomplete-value]");
      if (hidden.value !== "") {
        hidden.value = "";
        hidden.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var container = box(event.target);
    if (container) {
      container.querySelector("[data-autocomplete-input]").setAttribute("aria-expanded", "true");
    }
  });

  document.addEventListener("keydown", function (event) {
    var container = box(event.target);
    if (!container) {
      return;
    }
    var options = Array.prototype.slice.call(container.querySelectorAll("[data-value]"));
    var index = options.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      options[Math.min(index + 1, options.length - 1)].focus();
    } else if (event.key === "ArrowUp" && options.length) {
      event.preventDefault();
      if (index <= 0) {
        container.querySelector("[data-autocomplete-input]").focus();
      } else {
        options[index - 1].focus();
      }
    } else if (event.key === "Escape") {
      close(container);
    }
  });
})();
