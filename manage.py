#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luozhuang_dsj.settings")
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
