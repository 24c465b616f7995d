# The README's commands. `make run` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench venv clean-demo

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "需要 Python 3.11"' \
		|| { echo "需要 Python 3.11（可用 PYTHON=... 指定）。"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { echo "无法创建虚拟环境：Debian 上请先安装 python3-venv（apt install python3-venv）。"; exit 1; }
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	@touch $@

venv: $(VENV)/.installed

# The embedded demo: SQLite under var/, Celery tasks in-process, demo data and accounts.
run: $(VENV)/.installed
	@mkdir -p var/staticfiles
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_reference_data
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 $(PY) manage.py opendata_snapshot
	@echo "请在浏览器打开 http://$(HOST):$(PORT)/ （工作人员登录：http://$(HOST):$(PORT)/accounts/login/）"
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite. With DATABASE_URL / REDIS_URL set it uses them; without, SQLite and
# in-process tasks, and tests that need PostgreSQL or Redis are skipped with a reason.
test: $(VENV)/.installed
	DEBUG=1 $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

bench: $(VENV)/.installed
	@for script in bench/bench_*.py; do echo "== $$script"; DEBUG=1 $(PY) $$script || exit 1; done

clean-demo:
	rm -rf var/luozhuang_dsj.sqlite3* var/media
