"""A Brazilian agent in a Peruvian team imports their Portuguese file in a real browser
(issue 4/9): the page offers Brazil, the local numbers are read as Brazilian, every valid
row is created, and the people list shows the numbers as a Brazilian dials them."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext
from playwright.sync_api import expect

from crm.models import User
from crm.tests.browser import VARIANTS
from crm.tests.factories import PASSWORD, UserFactory
from people.models import Person
from people.tests.test_import import BRAZILIAN_FILE

pytestmark = pytest.mark.django_db(transaction=True)
PORTUGUESE = next(v for v in VARIANTS if v.language == "pt-br")


@pytest.mark.parametrize("variant", [PORTUGUESE], ids=[PORTUGUESE.name])
def test_a_brazilian_agent_imports_a_portuguese_file(journey, task_worker, tmp_path):
    UserFactory(username="joana", name="Joana Vendas", role=User.Role.AGENT, language="pt-br", country="BR")
    path = tmp_path / "clientes.csv"
    path.write_text(BRAZILIAN_FILE, encoding="utf-8")
    task_worker.start()
    journey.sign_in("joana", PASSWORD)
    page = journey.page

    journey.go("/people/import/")
    expect(page.locator("#id_country")).to_have_value("BR")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name=journey.t("Upload and check the columns")).click()
    expect(page.get_by_label("Celular")).to_have_value("mobile")
    page.get_by_role("button", name=journey.t("Preview the import")).click()
    with translation.override("pt-br"):
        new, errors = pgettext("import rows", "New"), gettext("Errors")
    expect(page.locator("dl > div", has_text=new)).to_contain_text("3")
    expect(page.locator("dl > div", has_text=errors)).to_contain_text("1")
    expect(page.get_by_text("Telefone inválido: 12")).to_be_visible()
    journey.shot("preview")
    page.get_by_role("button", name=journey.t("Confirm the import")).click()
    expect(page.get_by_role("link", name=journey.t("Go to People"))).to_be_visible()
    assert Person.objects.count() == 3

    page.get_by_role("link", name=journey.t("Go to People")).click()
    expect(page.get_by_role("link", name="(21) 3456-7890")).to_be_visible()  # João's landline, national
    expect(page.get_by_role("link", name="(11) 98765-4321")).to_be_visible()  # Maria's mobile
    expect(page.get_by_role("link", name="+51 987 654 321")).to_be_visible()  # a Peruvian number
    journey.shot("people")
    task_worker.stop()
