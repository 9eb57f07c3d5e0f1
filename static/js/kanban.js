// Kanban drag and drop: SortableJS moves the card in the page, then the move
// is saved at once (POST to the card's move URL). If the server refuses, the
// board reloads as it is saved. Without JavaScript, each card's "Move to"
// menu does the same.
(function () {
  "use strict";
  var board = document.getElementById("board-columns");
  if (!board || !window.Sortable) {
    return;
  }
  var template = board.getAttribute("data-move-url-template");
  var csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];

  function save(card, list, index) {
    var body = new URLSearchParams();
    body.set("stage", list.getAttribute("data-stage"));
    body.set("position", String(index));
    // The version the board showed: a card someone else changed meanwhile is refused (409).
    body.set("version", card.getAttribute("data-version") || "");
    var url = template.replace("/0/", "/" + card.getAttribute("data-card") + "/");
    return fetch(url, {
      method: "POST",
      headers: { "X-CSRFToken": csrf, "HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) {
        return response.text().then(function (text) {
          window.alert(text || response.statusText);
          window.location.reload();
        });
      }
      var version = response.headers.get("X-Version");
      if (version) {
        card.setAttribute("data-version", version);
        var hidden = card.querySelector(".kanban-move input[name=version]");
        if (hidden) {
          hidden.value = version;
        }
      }
      var select = card.querySelector(".kanban-move select");
      if (select) {
        select.value = list.getAttribute("data-stage");
      }
    });
  }

  function bind() {
    board.querySelectorAll(".kanban-cards").forEach(function (list) {
      if (list.sortable) {
        return;
      }
      list.sortable = window.Sortable.create(list, {
        group: "cards",
        animation: 120,
        // A card the user only follows is read, not moved.
        filter: "a, select, button, input, .kanban-readonly",
        preventOnFilter: false,
        onEnd: function (event) {
          if (event.from === event.to && event.oldIndex === event.newIndex) {
            return;
          }
          save(event.item, event.to, event.newIndex);
        }
      });
    });
  }

  bind();
  document.body.addEventListener("htmx:afterSwap", bind);
})();
