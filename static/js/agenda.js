// The agenda (templates/activities/agenda.html): one FullCalendar per column, fed by
// /calendar/events/, rescheduled through /calendar/move/ (a refused move snaps back with the
// reason), and an empty slot opens the "Plan an activity" dialog (htmx).
(function () {
  "use strict";
  const root = document.querySelector("[data-agenda]");
  const configNode = document.getElementById("agenda-config");
  if (!root || !configNode || !window.FullCalendar) return;
  const config = JSON.parse(configNode.textContent);
  const alertBox = document.getElementById("agenda-alert");
  const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  const modalNode = document.getElementById("agenda-new");
  const modal = modalNode && window.bootstrap ? bootstrap.Modal.getOrCreateInstance(modalNode) : null;
  const calendars = [];

  function say(message) {
    alertBox.textContent = message;
    alertBox.classList.toggle("d-none", !message);
  }

  // The team's wall clock: times travel without an offset and the calendar runs in UTC,
  // so "now" is moved by the team's offset.
  const offset = config.offsetMinutes * 60000;
  function teamNow() {
    return new Date(Date.now() + offset);
  }
  function wall(date) {
    return date.toISOString().slice(0, 19);
  }

  function feed(column) {
    return function (info, success, failure) {
      const params = new URLSearchParams({ start: info.startStr, end: info.endStr });
      if (column.team) params.set("team", "1");
      (column.agents || []).forEach((id) => params.append("agents", id));
      fetch(config.feed + "?" + params, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) =>
          response.json().then((body) => {
            if (!response.ok) return Promise.reject(body.error);
            // Header values travel as Latin-1: the notice comes percent-encoded.
            say(decodeURIComponent(response.headers.get("X-Agenda-Notice") || ""));
            return body;
          })
        )
        .then(success)
        .catch((error) => {
          say(String(error || ""));
          failure(error);
        });
    };
  }

  function move(info) {
    const event = info.event;
    const body = {
      source: event.extendedProps.source,
      id: event.extendedProps.pk,
      start: wall(event.start),
      end: event.end ? wall(event.end) : "",
      version: event.extendedProps.version,
    };
    fetch(config.move, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify(body),
    })
      .then((response) => response.json().then((data) => (response.ok ? data : Promise.reject(data.error))))
      .then((data) => {
        say("");
        event.setExtendedProp("version", data.event.extendedProps.version);
        event.setExtendedProp("overdue", data.event.extendedProps.overdue);
        event.setProp("classNames", data.event.classNames);
        // The other columns may show the same event (a card's reminder): read them again.
        calendars.forEach((calendar) => calendar !== info.view.calendar && calendar.refetchEvents());
      })
      .catch((error) => {
        info.revert();
        say(String(error || ""));
      });
  }

  function plan(info) {
    if (!modal) return;
    let start = info.startStr;
    let end = info.endStr;
    if (info.allDay) {
      start = start.slice(0, 10) + "T09:00:00";
      end = start.slice(0, 10) + "T09:30:00";
    }
    const params = new URLSearchParams({ start: start.slice(0, 19), end: end.slice(0, 19) });
    htmx.ajax("GET", config.newUrl + "?" + params, { target: "#agenda-new-body", swap: "innerHTML" }).then(() => {
      modal.show();
    });
  }

  const narrow = window.matchMedia("(max-width: 575.98px)").matches;
  // Columns side by side share one toolbar (the page's): they move together, aligned.
  const shared = document.querySelector("[data-agenda-toolbar]");
  const views = "dayGridMonth,timeGridWeek,timeGridDay,listWeek";
  const nodes = root.querySelectorAll("[data-calendar]");
  nodes.forEach((node, index) => {
    const column = config.calendars[index];
    const first = index === 0;
    const calendar = new FullCalendar.Calendar(node, {
      timeZone: "UTC",
      now: teamNow,
      locale: config.locale,
      firstDay: config.firstDay,
      initialView: config.view || (narrow ? "listWeek" : "timeGridWeek"),
      initialDate: config.date || undefined,
      headerToolbar:
        first && !shared
          ? narrow
            ? { left: "prev,next", center: "title", right: "today" }
            : { left: "prev,next today", center: "title", right: views }
          : false,
      footerToolbar: first && narrow && !shared ? { center: views } : false,
      height: "auto",
      nowIndicator: true,
      navLinks: true,
      editable: true,
      selectable: true,
      selectMirror: true,
      dayMaxEvents: true,
      // The whole day (a call planned at 22:30 is on the agenda too), opened at 8 o'clock.
      slotMinTime: "00:00:00",
      slotMaxTime: "24:00:00",
      scrollTime: "08:00:00",
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      events: feed(column),
      eventDataTransform(event) {
        if (config.showAgent && !column.title && event.extendedProps.agent) {
          event.title = event.extendedProps.agent + " · " + event.title;
        }
        return event;
      },
      eventDidMount(info) {
        const props = info.event.extendedProps;
        info.el.setAttribute("data-event", info.event.id);
        info.el.title = [props.agent, info.event.title].filter(Boolean).join(" · ");
      },
      eventDrop: move,
      eventResize: move,
      select: plan,
      datesSet(info) {
        if (!first || !shared) return;
        shared.querySelector("[data-agenda-title]").textContent = info.view.title;
        shared.querySelectorAll("[data-agenda-view]").forEach((button) => {
          const active = button.dataset.agendaView === info.view.type;
          button.classList.toggle("active", active);
          button.setAttribute("aria-pressed", String(active));
        });
      },
    });
    calendars.push(calendar);
  });
  calendars.forEach((calendar) => calendar.render());
  if (shared) {
    shared.addEventListener("click", (event) => {
      const button = event.target.closest("[data-agenda-action], [data-agenda-view]");
      if (!button) return;
      calendars.forEach((calendar) => {
        if (button.dataset.agendaView) calendar.changeView(button.dataset.agendaView);
        else calendar[button.dataset.agendaAction]();
      });
    });
  }

  document.body.addEventListener("agendaChanged", () => {
    calendars.forEach((calendar) => calendar.refetchEvents());
    if (modal) modal.hide();
  });
})();
