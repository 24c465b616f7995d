"""The Docker image's build step and the compose file, checked by running what they run
(no Docker engine runs on our machines)."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _build_environment(dockerfile: str) -> dict[str, str]:
    """The VAR=value pairs the Dockerfile passes to `manage.py collectstatic`."""
    end = dockerfile.index("manage.py collectstatic")
    step = dockerfile[end - 400 : end]
    return dict(re.findall(r"([A-Z_]+)=(\S+)", step.split("&&")[-1]))


def test_the_image_build_collects_static_files_with_only_the_variables_it_sets(tmp_path):
    environment = _build_environment((ROOT / "Dockerfile").read_text())
    assert set(environment) == {"DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEY"}
    clean = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env={**clean, **environment, "VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles" / "staticfiles.json").exists()


def test_the_compose_file_names_every_service_and_keeps_redis_from_evicting_jobs():
    compose = (ROOT / "docker-compose.yml").read_text()
    for service in ("db:", "redis:", "migrate:", "web:", "worker:", "beat:"):
        assert f"\n  {service}" in compose
    assert '"--appendonly", "yes"' in compose
    assert '"--maxmemory-policy", "noeviction"' in compose
