// The rule builder: the "overdue by hours" field only for overdue reminders, each action's
// row showing only the fields that action uses, and a condition's value offered from the
// values its field takes (users, boards, tags, stages by name; stored as their ids or codes).
(function () {
  "use strict";
  const form = document.getElementById("rule-form");
  if (!form) return;
  const uses = JSON.parse(form.dataset.uses || "{}");
  const trigger = form.querySelector("[name=trigger]");
  const pickers = {};
  form.querySelectorAll("datalist[data-field]").forEach((list) => {
    pickers[list.dataset.field] = list.id;
  });

  function showWhen() {
    form.querySelectorAll("[data-when]").forEach((box) => {
      box.hidden = trigger.value !== box.dataset.when;
    });
  }

  function showUses(row) {
    const type = row.querySelector("select[name$='-type']").value;
    const wanted = uses[type] || [];
    row.querySelectorAll("[data-uses]").forEach((box) => {
      // A field with an error stays in sight, whatever the action.
      const invalid = box.querySelector(".is-invalid");
      box.hidden = !wanted.includes(box.dataset.uses) && !invalid;
    });
  }

  function offerValues(row) {
    const field = row.querySelector("select[name$='-field']");
    const value = row.querySelector("[data-value] input");
    if (!field || !value) return;
    const list = pickers[field.value];
    if (list) value.setAttribute("list", list);
    else value.removeAttribute("list");
  }

  if (trigger) {
    trigger.addEventListener("change", showWhen);
    showWhen();
  }
  form.querySelectorAll("[data-action]").forEach((row) => {
    row.querySelector("select[name$='-type']").addEventListener("change", () => showUses(row));
    showUses(row);
  });
  form.querySelectorAll("[data-condition]").forEach((row) => {
    const field = row.querySelector("select[name$='-field']");
    if (field) field.addEventListener("change", () => offerValues(row));
    offerValues(row);
  });
})();
