"""Rules on the production code itself, checked by reading its syntax tree."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

from crm.tests.helpers import project_apps

APPS = project_apps()
ID_KEYWORDS = {"pk", "id", "pk__in", "id__in"}


def _production_modules():
    for app in APPS:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            relative = path.relative_to(settings.BASE_DIR)
            if "tests" in relative.parts or "migrations" in relative.parts:
                continue
            yield relative, ast.parse(path.read_text(), filename=str(path))


def _root(node: ast.AST) -> ast.AST:
    """The start of a chain like Model.objects.filter(...).get(...)."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.attr == "objects":
                return node
            node = node.value
        else:
            return node


def test_production_code_does_not_use_test_helpers():
    offenders = []
    for path, tree in _production_modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.test"):
                offenders.append(f"{path}:{node.lineno} imports {node.module}")
            elif isinstance(node, ast.Import) and any(a.name.startswith("django.test") for a in node.names):
                offenders.append(f"{path}:{node.lineno} imports django.test")
            elif isinstance(node, ast.Attribute) and node.attr == "force_login":
                offenders.append(f"{path}:{node.lineno} calls force_login")
    assert offenders == [], offenders


def test_views_look_records_up_only_through_access_scoping():
    """In request handlers a record is found by id only in a queryset from crm/access.py."""
    offenders = []
    for path, tree in _production_modules():
        if "views" not in path.stem:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            if isinstance(node.func, ast.Name) and node.func.id in {"get_object_or_404", "get_list_or_404"}:
                offenders.append(f"{path}:{node.lineno} {node.func.id} outside access.get_or_404")
                continue
            by_id = {keyword.arg for keyword in node.keywords} & ID_KEYWORDS
            root = _root(node)
            if by_id and isinstance(root, ast.Attribute) and root.attr == "objects":
                offenders.append(f"{path}:{node.lineno} {root.value.id}.objects by {sorted(by_id)}")
    assert offenders == [], offenders


def test_the_rule_catches_an_unscoped_lookup():
    tree = ast.parse("Person.objects.filter(stage='x').get(pk=pk)\naccess.people(u).get(pk=pk)")
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and node.keywords]
    roots = {ast.unparse(_root(call)) for call in calls if {k.arg for k in call.keywords} & ID_KEYWORDS}
    assert roots == {"Person.objects", "access"}


def test_every_app_is_in_the_project_apps_and_its_tests_run():
    assert {"crm", "api"} <= set(APPS)  # the project's apps, read from the settings
    import configparser

    config = configparser.ConfigParser()
    config.read(Path(settings.BASE_DIR) / "pytest.ini")
    testpaths = set(config["pytest"]["testpaths"].split())
    with_tests = {app for app in APPS if (Path(settings.BASE_DIR) / app / "tests").is_dir()}
    assert with_tests - testpaths == set(), "make test must run every app's tests"


EAGER = {"gettext", "ngettext", "pgettext", "npgettext"}


def _eager_translations(tree: ast.AST) -> list[int]:
    """Lines where a non-lazy gettext runs at import (module level or a class
    body): it would be translated once, in the language of whatever first
    imported the module, for every user after."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            names |= {alias.asname or alias.name for alias in node.names if alias.name in EAGER}
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            in_function = True
        if (
            not in_function
            and isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in names
        ):
            found.append(node.lineno)
        for child in ast.iter_child_nodes(node):
            visit(child, in_function)

    visit(tree, False)
    return found


def test_no_translation_is_frozen_at_import():
    frozen = [f"{path}:{line}" for path, tree in _production_modules() for line in _eager_translations(tree)]
    assert frozen == []


def test_the_rule_catches_a_frozen_translation():
    tree = ast.parse(
        "from django.utils.translation import gettext as _\n"
        "LABEL = _('Keep')\n"
        "class Form:\n    label = _('Why')\n"
        "def view():\n    return _('Saved')\n"
    )
    assert _eager_translations(tree) == [2, 4]


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_date_and_text_field_of_a_form_or_filter_is_bounded():
    """Dates users type lie between 1900 and 2100 and texts have a length (crm.bounds):
    every form and filter set of the project uses the bounded fields."""
    import importlib

    import django_filters
    from django import forms

    from crm import bounds

    for app in APPS:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            relative = path.relative_to(settings.BASE_DIR)
            if "tests" in relative.parts or "migrations" in relative.parts or "management" in relative.parts:
                continue
            importlib.import_module(".".join(relative.with_suffix("").parts))
    offenders = []
    for form in _subclasses(forms.BaseForm):
        if form.__module__.split(".")[0] not in APPS:
            continue
        for name, field in getattr(form, "base_fields", {}).items():
            if isinstance(field, forms.DateTimeField | forms.DateField) and not isinstance(
                field, bounds.DateField | bounds.DateTimeField
            ):
                offenders.append(f"{form.__module__}.{form.__name__}.{name}")
            # Passwords and usernames are Django's own fields, bounded by their validators.
            if isinstance(field.widget, forms.PasswordInput) or type(field).__name__ == "UsernameField":
                continue
            limit = getattr(field, "max_length", None)
            unbounded = limit is None or limit > bounds.LONG_TEXT_MAX
            text = isinstance(field, forms.CharField) and not isinstance(
                field, forms.ChoiceField | forms.EmailField
            )
            if text and unbounded:
                offenders.append(f"{form.__module__}.{form.__name__}.{name} (no max_length)")
    for filterset in _subclasses(django_filters.FilterSet):
        if filterset.__module__.split(".")[0] not in APPS:
            continue
        for name, declared in filterset.base_filters.items():
            if issubclass(declared.field_class, forms.DateField | forms.DateTimeField) and not issubclass(
                declared.field_class, bounds.DateField | bounds.DateTimeField
            ):
                offenders.append(f"{filterset.__module__}.{filterset.__name__}.{name}")
    assert offenders == [], offenders
