import os
import subprocess
import sys
from pathlib import Path

import pytest

from luozhuang_dsj.lib.env import (
    SettingsError,
    env_bool,
    env_database,
    env_int,
    env_list,
    env_redis_url,
    env_required,
)

ROOT = Path(__file__).resolve().parents[2]


def test_env_bool_reads_the_usual_spellings():
    assert env_bool("X", environ={"X": "yes"}) is True
    assert env_bool("X", environ={"X": "0"}) is False
    assert env_bool("X", default=True, environ={}) is True


def test_env_bool_rejects_anything_else_naming_the_variable():
    with pytest.raises(SettingsError, match="DEBUG") as caught:
        env_bool("DEBUG", environ={"DEBUG": "maybe"})
    assert "'maybe'" in str(caught.value)


def test_env_int_rejects_non_numbers_and_out_of_range_values():
    assert env_int("N", 5, environ={"N": " 12 "}) == 12
    with pytest.raises(SettingsError, match="应为整数"):
        env_int("N", 5, environ={"N": "twelve"})
    with pytest.raises(SettingsError, match="不能小于 1"):
        env_int("N", 5, minimum=1, environ={"N": "0"})


def test_env_list_rejects_empty_items():
    assert env_list("HOSTS", [], environ={"HOSTS": "a.example, b.example"}) == ["a.example", "b.example"]
    with pytest.raises(SettingsError, match="HOSTS"):
        env_list("HOSTS", [], environ={"HOSTS": "a.example,,b"})


def test_env_required_names_the_missing_variable():
    with pytest.raises(SettingsError, match="环境变量 SECRET_KEY 配置错误：未设置"):
        env_required("SECRET_KEY", environ={})


def test_env_database_parses_postgres_and_sqlite():
    pg = env_database("DATABASE_URL", "", environ={"DATABASE_URL": "postgres://dsj:pw@db:5432/dsj"})
    assert (pg["ENGINE"], pg["HOST"], pg["PORT"], pg["NAME"], pg["USER"]) == (
        "django.db.backends.postgresql",
        "db",
        5432,
        "dsj",
        "dsj",
    )
    lite = env_database("DATABASE_URL", "sqlite:////srv/dsj/x.sqlite3", environ={})
    assert (lite["ENGINE"], lite["NAME"]) == ("django.db.backends.sqlite3", "/srv/dsj/x.sqlite3")


@pytest.mark.parametrize(
    "url",
    ["mysql://root@localhost/dsj", "postgres://u@h:notaport/dsj", "postgres://u@h:5432/", "not a url"],
)
def test_env_database_rejects_bad_urls(url):
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        env_database("DATABASE_URL", "", environ={"DATABASE_URL": url})


def test_env_redis_url_rejects_other_schemes():
    assert env_redis_url("REDIS_URL", environ={}) is None
    assert (
        env_redis_url("REDIS_URL", environ={"REDIS_URL": "redis://127.0.0.1:6379/0"})
        == "redis://127.0.0.1:6379/0"
    )
    with pytest.raises(SettingsError, match="REDIS_URL"):
        env_redis_url("REDIS_URL", environ={"REDIS_URL": "http://127.0.0.1:6379"})


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {
        key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}
    }
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_wrong_database_url_gives_one_line_naming_the_variable():
    result = _manage("check", DEBUG="1", DATABASE_URL="mysql://root@localhost/dsj")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "环境变量 DATABASE_URL 配置错误：只支持 postgres:// 或 sqlite:/// 地址，实际为 'mysql://root@localhost/dsj'。"
    ]
    assert "Traceback" not in result.stderr


def test_secret_key_is_required_when_debug_is_off():
    result = _manage("check", DEBUG="0")
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_makemigrations_check_runs_in_a_bare_environment():
    result = _manage("makemigrations", "--check", "--dry-run")
    assert (result.returncode, result.stdout.strip()) == (0, "No changes detected")


def test_a_short_secret_key_is_refused():
    result = _manage("check", DEBUG="0", SECRET_KEY="short")
    assert result.returncode == 2
    assert result.stderr.strip() == "环境变量 SECRET_KEY 配置错误：长度不足 50 个字符。"


def test_the_demo_runs_chinese_and_in_shanghai_time(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
