"""Demo email templates: the team's, in Spanish and Portuguese, ready for the composer and for
campaign emails on a fresh `make run`."""

from __future__ import annotations

from activities import services

TEMPLATES = [
    (
        "Primer contacto",
        "es",
        "{first_name}, gracias por su interés",
        "Estimado(a) {first_name}:\n\nGracias por su interés en nuestros servicios. Me gustaría "
        "conocer mejor lo que necesita {company}. ¿Tiene unos minutos esta semana para una "
        "llamada?\n\nSaludos cordiales,\n{agent}",
    ),
    (
        "Seguimiento de cotización",
        "es",
        "Seguimiento: {opportunity}",
        "Estimado(a) {first_name}:\n\n¿Pudo revisar nuestra propuesta? Quedo atento(a) a sus "
        "comentarios o dudas.\n\nSaludos,\n{agent}",
    ),
    (
        "Primeiro contato",
        "pt-br",
        "{first_name}, obrigado pelo seu interesse",
        "Olá, {first_name}!\n\nObrigado pelo seu interesse. Gostaria de entender melhor o que a "
        "{company} precisa. Podemos conversar esta semana?\n\nAbraços,\n{agent}",
    ),
]


def seed(context: dict) -> None:
    for name, language, subject, body in TEMPLATES:
        services.email_template_save(
            by=context["admin"], team=True, name=name, language=language, subject=subject, body=body
        )
