"""Personas shared by every app's tests: an admin, a manager, alice (the agent
who owns the records) and bob (another agent)."""

from __future__ import annotations

import pytest
from django.test import Client

from crm.models import User
from crm.tests.factories import UserFactory
from crm.tests.network import free_port

# The browser journeys' fixtures (Chromium, a journey's tab, the task worker).
pytest_plugins = ["crm.tests.browser"]


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # English is the source language; translations have tests of their own.
    settings.LANGUAGE_CODE = "en"
    # Hashing dominates user creation otherwise.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every request computes the dashboard (its cache has a test of its own).
    settings.DASHBOARD_CACHE_SECONDS = 0
    settings.DUPLICATES_CACHE_SECONDS = 0
    # Uploads and exports go to a folder of the test's own.
    settings.MEDIA_ROOT = tmp_path / "media"
    # No collectstatic before tests: serve static names as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def admin_user(db) -> User:
    return UserFactory(username="admin", name="Ada Admin", role=User.Role.ADMIN)


@pytest.fixture
def manager(db) -> User:
    return UserFactory(username="manager", name="Mara Manager", role=User.Role.MANAGER)


@pytest.fixture
def alice(db) -> User:
    return UserFactory(username="alice", name="Alice Agent", role=User.Role.AGENT)


@pytest.fixture
def bob(db) -> User:
    return UserFactory(username="bob", name="Bob Agent", role=User.Role.AGENT)


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(admin_user) -> Client:
    return _client_for(admin_user)


@pytest.fixture
def manager_client(manager) -> Client:
    return _client_for(manager)


@pytest.fixture
def alice_client(alice) -> Client:
    return _client_for(alice)


@pytest.fixture
def bob_client(bob) -> Client:
    return _client_for(bob)


# Mail through a real SMTP conversation: the CRM's own mail server (activities.mail). -----------


@pytest.fixture
def smtp(settings):
    """The embedded mail server on a free port, and the CRM sending to it, the task worker's
    work done at once (the immediate backend runs a task when the sending commits)."""
    port = free_port()
    from activities.mail import outbox_server

    server = outbox_server(port=port)
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_ENABLED = True
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    yield server
    server.stop()
