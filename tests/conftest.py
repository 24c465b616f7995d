"""The fixed cast every test can call on, and markers for the real services.

Two departments are the cast's stage: 区市场监管局 (SCJG, which hosts the office) and
区教育局 (JYJ, "another department"). Each role has one user; `outsider` is JYJ's staff.
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from luozhuang_dsj.lib.roles import Role
from luozhuang_dsj.models import User
from luozhuang_dsj.services import user_create
from registry.models import Department
from registry.services import reference_data_load

PASSWORD = "Test-Passw0rd!"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    has_redis = bool(django_settings.REDIS_URL)
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="需要 PostgreSQL：设置 DATABASE_URL=postgres://… 后运行"))
        if "redis" in item.keywords and not has_redis:
            item.add_marker(pytest.mark.skip(reason="需要 Redis：设置 REDIS_URL=redis://… 后运行"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            # Only on the throwaway test database: lets Django empty the audit table
            # between transactional tests (see the audit trigger's migration).
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER DATABASE {connection.settings_dict['NAME']} SET luozhuang.allow_audit_truncate = 'on'")
                cursor.execute("SET luozhuang.allow_audit_truncate = 'on'")
        reference_data_load()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_in_process():  # type: ignore[no-untyped-def]
    """Tests run Celery tasks in-process even where Redis is configured; the fault tests
    that need a real worker switch this off themselves."""
    from luozhuang_dsj.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def reference_data(db):  # type: ignore[no-untyped-def]
    """For transactional tests, whose flush removes what the session loaded."""
    reference_data_load()


def make_user(username: str, department_code: str, *roles: Role, name: str | None = None) -> User:
    return user_create(
        actor=None,
        username=username,
        name=name or f"测试{username}",
        department=Department.objects.get(code=department_code),
        roles=roles,
        password=PASSWORD,
    )


@pytest.fixture
def scjg(db) -> Department:  # type: ignore[no-untyped-def]
    return Department.objects.get(code="SCJG")


@pytest.fixture
def jyj(db) -> Department:  # type: ignore[no-untyped-def]
    return Department.objects.get(code="JYJ")


@pytest.fixture
def office_user(db) -> User:  # type: ignore[no-untyped-def]
    return make_user("office1", "SCJG", Role.OFFICE)


@pytest.fixture
def staff(db) -> User:  # type: ignore[no-untyped-def]
    return make_user("staff1", "SCJG", Role.DEPT_STAFF)


@pytest.fixture
def head(db) -> User:  # type: ignore[no-untyped-def]
    return make_user("head1", "SCJG", Role.DEPT_HEAD)


@pytest.fixture
def inspector_user(db) -> User:  # type: ignore[no-untyped-def]
    return make_user("inspector1", "SCJG", Role.INSPECTOR)


@pytest.fixture
def outsider(db) -> User:  # type: ignore[no-untyped-def]
    return make_user("outsider1", "JYJ", Role.DEPT_STAFF)


@pytest.fixture
def auditor(db) -> User:  # type: ignore[no-untyped-def]
    return make_user("auditor1", "ZFB", Role.AUDITOR)


@pytest.fixture
def sysadmin(db) -> User:  # type: ignore[no-untyped-def]
    return make_user("sysadmin1", "SCJG", Role.SYSADMIN)


@pytest.fixture
def secadmin(db) -> User:  # type: ignore[no-untyped-def]
    return make_user("secadmin1", "SCJG", Role.SECURITY_ADMIN)


@pytest.fixture
def cast(office_user, staff, head, inspector_user, outsider, auditor, sysadmin, secadmin):  # type: ignore[no-untyped-def]
    return {
        "office": office_user,
        "staff": staff,
        "head": head,
        "inspector": inspector_user,
        "outsider": outsider,
        "auditor": auditor,
        "sysadmin": sysadmin,
        "secadmin": secadmin,
    }


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"
