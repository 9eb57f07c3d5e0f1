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
    // The board's filters: the answer brings every column's header (counts, totals) under them.
    body.set("filters", window.location.search.replace(/^\?/, ""));
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
      return response.text().then(replaceHeads);
    });
  }

  // Each column header in the answer replaces the one with its id.
  function replaceHeads(html) {
    var answer = document.createElement("template");
    answer.innerHTML = html;
    answer.content.querySelectorAll("header[id^='column-head-']").forEach(function (head) {
      var shown = document.getElementById(head.id);
      if (shown) {
        shown.replaceWith(head);
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
        // The whole card is the handle, but not its menu; a card the user only follows is
        // read, not moved. A click on the title (no drag) still opens the card.
        filter: "select, button, input, label, .kanban-readonly, .kanban-more",
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

  // A card's title opens the card in the side panel over the board (Esc closes it); a
  // click with Ctrl, Cmd, Shift or another button still opens its page.
  var panel = document.getElementById("card-panel");
  board.addEventListener("click", function (event) {
    var link = event.target.closest(".kanban-card a[href]");
    if (!link || !panel || !window.bootstrap || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
      return;
    }
    event.preventDefault();
    var body = document.getElementById("card-panel-body");
    document.getElementById("card-panel-page").setAttribute("href", link.getAttribute("href"));
    fetch(link.getAttribute("href") + "?panel=1", { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          window.location.href = link.getAttribute("href");
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (html === null) {
          return;
        }
        body.innerHTML = html;
        if (window.htmx) {
          window.htmx.process(body);
        }
        window.bootstrap.Offcanvas.getOrCreateInstance(panel).show();
      });
  });

  // Esc closes the panel wherever the focus is.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && panel && window.bootstrap && panel.classList.contains("show")) {
      window.bootstrap.Offcanvas.getOrCreateInstance(panel).hide();
    }
  });

  bind();
  document.body.addEventListener("htmx:afterSwap", bind);
})();
