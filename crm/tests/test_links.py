"""Links built from a route's shape are the links reverse() builds."""

import pytest
from django.template import engines
from django.urls import reverse, set_script_prefix

from crm import links


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("people:detail", [7]),
        ("people:edit", [1234567]),
        ("campaigns:member", [3, 97531864201]),
        ("serviceorders:detail", [0]),
    ],
)
def test_a_link_is_the_reversed_url(name, ids):
    assert links.path(name, *ids) == reverse(name, args=ids)


def test_links_of_many_records_of_one_route_are_the_reversed_urls():
    person = links.paths("people:detail")
    member = links.paths("campaigns:member", 2)
    for pk in (1, 42, 97531864201):
        assert person(pk) == reverse("people:detail", args=[pk])
    assert member(3, 97531864202) == reverse("campaigns:member", args=[3, 97531864202])


def test_the_script_prefix_is_kept():
    try:
        set_script_prefix("/crm/")
        assert links.path("people:detail", 5) == "/crm/people/5/" == reverse("people:detail", args=[5])
        assert links.paths("people:detail")(5) == "/crm/people/5/"
    finally:
        set_script_prefix("/")
    assert links.path("people:detail", 5) == "/people/5/"


def test_the_template_tag_writes_the_link():
    template = engines["django"].from_string("{% load crm_tags %}{% link 'people:edit' pk %}")
    assert template.render({"pk": 42}) == reverse("people:edit", args=[42])
