#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luozhuang_dsj.settings")
    if sys.argv[1:2] == ["makemigrations"] and "SECRET_KEY" not in os.environ:
        # Comparing the models with the migration files serves nothing and reads no secret:
        # it runs in a bare checkout (CI, a developer's shell) with the development defaults.
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    from luozhuang_dsj.lib.env import SettingsError

    try:
        execute_from_command_line(sys.argv)
    except SettingsError as error:
        # A bad environment variable is the operator's to fix: one line, no traceback.
        sys.stderr.write(f"{error}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
