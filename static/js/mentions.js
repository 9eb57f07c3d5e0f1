// @mentions (activities.mentions): in a textarea with data-mentions (the suggestions' address),
// typing @ and a few letters lists the colleagues who may see the record (its ids are read
// from the form's person/company/opportunity/service_order fields, or data-mentions-about);
// arrows and Enter, or a click, write @username.
(function () {
  "use strict";
  const FIELDS = ["person", "company", "opportunity", "service_order"];
  let box = null;
  let active = -1;
  let target = null;
  let timer = null;

  function about(textarea) {
    const params = new URLSearchParams(textarea.dataset.mentionsAbout || "");
    const form = textarea.form;
    if (form) {
      FIELDS.forEach((name) => {
        const field = form.elements.namedItem(name);
        if (field && field.value && !params.has(name)) params.set(name, field.value);
      });
    }
    return params;
  }

  function typed(textarea) {
    const before = textarea.value.slice(0, textarea.selectionStart);
    const match = /(^|[^\w@.+-])@([\w.+-]{0,30})$/.exec(before);
    return match ? match[2] : null;
  }

  function close() {
    if (box) box.remove();
    box = null;
    active = -1;
  }

  function choose(username) {
    const textarea = target;
    const caret = textarea.selectionStart;
    const before = textarea.value.slice(0, caret).replace(/@([\w.+-]*)$/, "@" + username + " ");
    textarea.value = before + textarea.value.slice(caret);
    textarea.selectionStart = textarea.selectionEnd = before.length;
    textarea.focus();
    close();
  }

  function show(textarea, users) {
    close();
    if (!users.length) return;
    target = textarea;
    box = document.createElement("div");
    box.className = "mention-suggestions list-group shadow-sm";
    box.setAttribute("role", "listbox");
    users.forEach((user, index) => {
      const item = document.createElement("button");
      item.type = "button";
      item.className = "list-group-item list-group-item-action py-1 small";
      item.setAttribute("role", "option");
      item.dataset.username = user.username;
      item.textContent = "@" + user.username + " · " + user.name;
      item.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(user.username);
      });
      if (index === 0) item.classList.add("active");
      box.appendChild(item);
    });
    active = 0;
    textarea.insertAdjacentElement("afterend", box);
  }

  document.addEventListener("input", (event) => {
    const textarea = event.target;
    if (!(textarea instanceof HTMLTextAreaElement) || !textarea.dataset.mentions) return;
    const term = typed(textarea);
    clearTimeout(timer);
    if (term === null) return close();
    const params = about(textarea);
    if (![...params.keys()].length) return close();
    params.set("q", term);
    timer = setTimeout(() => {
      fetch(textarea.dataset.mentions + "?" + params, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : []))
        .then((users) => show(textarea, users))
        .catch(close);
    }, 150);
  });

  document.addEventListener("keydown", (event) => {
    if (!box || event.target !== target) return;
    const items = box.querySelectorAll("[data-username]");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      items[active].classList.remove("active");
      active = (active + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      items[active].classList.add("active");
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      choose(items[active].dataset.username);
    } else if (event.key === "Escape") {
      close();
    }
  });

  document.addEventListener("focusout", (event) => {
    if (box && event.target === target) setTimeout(close, 150);
  });
})();
