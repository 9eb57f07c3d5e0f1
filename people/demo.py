"""Demo people and tags (see crm's seed_demo command)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from people import services
from people.models import Person, PersonEvent, Tag

TAGS = [
    ("Software", "blue"),
    ("Capacitación", "green"),
    ("Consultoría", "purple"),
    ("Evento 2026", "orange"),
    ("Newsletter", "teal"),
    ("VIP", "red"),
]
NAMES = {
    "es": (
        ["José", "María", "Carlos", "Lucía", "Andrés", "Sofía", "Jorge", "Camila", "Diego", "Valentina"],
        ["García", "Rodríguez", "Pérez", "Gómez", "Flores", "Rojas", "Vargas", "Castillo", "Núñez", "Peña"],
    ),
    "pt": (
        ["João", "Ana", "Pedro", "Beatriz", "Lucas", "Mariana", "Rafael", "Júlia", "Gabriel", "Larissa"],
        [
            "Silva",
            "Santos",
            "Oliveira",
            "Souza",
            "Lima",
            "Pereira",
            "Costa",
            "Gonçalves",
            "Araújo",
            "Ribeiro",
        ],
    ),
}
COUNTRIES = ["PE", "PE", "BR", "BR", "MX", "CO", "CL"]
CITIES = {"PE": "Lima", "BR": "São Paulo", "MX": "Ciudad de México", "CO": "Bogotá", "CL": "Santiago"}
PHONES = {
    "PE": "+519{:08d}",
    "BR": "+55119{:08d}",
    "MX": "+52155{:08d}",
    "CO": "+57310{:07d}",
    "CL": "+5699{:07d}",
}
PLAIN = str.maketrans("áéíóúãõçñ", "aeiouaocn")


def seed(context: dict) -> None:
    if Person.objects.exists():
        return
    rng = context["rng"]
    agents = context["agents"]
    tags = [Tag.objects.get_or_create(name=name, defaults={"color": color})[0] for name, color in TAGS]
    sources = list(Person.Source.values)
    people = []
    for n in range(60):
        country = COUNTRIES[n % len(COUNTRIES)]
        firsts, lasts = NAMES["pt" if country == "BR" else "es"]
        first, last = rng.choice(firsts), rng.choice(lasts)
        owner = agents[n % len(agents)]
        person = services.person_create(
            by=owner,
            first_name=first,
            last_name=last,
            email=f"{first}.{last}{n}@example.com".lower().translate(PLAIN),
            phone=PHONES[country].format(rng.randrange(10**7)),
            city=CITIES[country],
            country=country,
            source=rng.choice(sources),
            stage=rng.choice(["prospect", "prospect", "interested", "client"]),
            owner=owner,
            tags=rng.sample(tags, rng.randrange(0, 3)),
        )
        people.append(person)
    # Met over the last months, not all today: the dashboard's weekly charts show it.
    now = timezone.now()
    for person in people:
        when = now - timedelta(days=rng.randrange(0, context["days"]), hours=rng.randrange(0, 24))
        Person.objects.filter(pk=person.pk).update(created_at=when)
        PersonEvent.objects.filter(person=person, kind=PersonEvent.Kind.CREATED).update(at=when)
        person.created_at = when
    for person in people[16::17]:
        services.person_discard(person=person, by=person.owner, reason="Datos de contacto incorrectos")
    context["people"] = [p for p in people if p.discarded_at is None]
    context["tags"] = tags
    _consents(context["people"])
    _activities(context)


def _consents(people) -> None:
    """Most demo people came through a fair's form: they may be contacted and sent campaign
    emails; one in five only for sales contact; a few have nothing on record."""
    from crm import consent

    for n, person in enumerate(people):
        if n % 9 == 8:
            continue  # nothing recorded: campaign emails and WhatsApp skip them
        purposes = [consent.Purpose.SALES] + ([] if n % 5 == 4 else [consent.Purpose.MARKETING])
        consent.record(
            people=[person.pk],
            channels=consent.CONTACT_CHANNELS,
            purposes=purposes,
            given=True,
            source=consent.Source.WEB_FORM,
            text="Feria 2026: Acepto que me contacten por correo, teléfono o WhatsApp.",
        )


CATEGORIES = ["Ventas", "Soporte", "Cobranza", "Capacitación"]
SUBJECTS = {
    "call": ["Llamada de presentación", "Consulta por precios", "Seguimiento de cotización"],
    "email": ["Envío de catálogo", "Propuesta comercial"],
    "visit": ["Visita a oficinas", "Demostración del producto"],
    "meeting": ["Reunión con gerencia"],
    "note": ["Prefiere contacto por WhatsApp", "Presupuesto aprobado para el próximo trimestre"],
}


PLANNED = [
    ("call", "Volver a llamar", 15),
    ("visit", "Visita a la oficina del cliente", 90),
    ("meeting", "Reunión de presentación", 60),
    ("task", "Enviar la cotización", 30),
]


def _activities(context: dict) -> None:
    from activities import services as activity_services
    from activities.models import Activity, Category

    rng = context["rng"]
    categories = [Category.objects.get_or_create(name=name)[0] for name in CATEGORIES]
    now = timezone.now()
    for n, person in enumerate(context["people"]):
        for _ in range(rng.randrange(1, 4)):
            kind = rng.choice(list(SUBJECTS))
            activity, _follow_up = activity_services.activity_log(
                by=person.owner,
                kind=kind,
                subject=rng.choice(SUBJECTS[kind]),
                person=person,
                category=rng.choice(categories),
            )
            since = max((now - person.created_at).days, 1)
            done = now - timedelta(days=rng.randrange(0, since), hours=rng.randrange(0, 8))
            Activity.objects.filter(pk=activity.pk).update(created_at=done, done_at=done)
        if n % 3 == 0:
            # The agenda: some overdue, some today, most in the coming days, in office hours.
            day = timezone.localtime(now + timedelta(days=rng.choice([-1, 0, 0, 1, 2, 3, 5])))
            due = day.replace(hour=rng.randrange(8, 18), minute=rng.choice([0, 30]), second=0, microsecond=0)
            kind, subject, minutes = rng.choice(PLANNED)
            activity_services.activity_log(
                by=person.owner,
                kind=kind,
                subject=subject,
                person=person,
                done=False,
                due_at=due,
                duration=minutes,
            )
