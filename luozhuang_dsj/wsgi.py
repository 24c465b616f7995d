import os
import sys

from django.core.wsgi import get_wsgi_application

from luozhuang_dsj.lib.env import SettingsError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luozhuang_dsj.settings")

try:
    application = get_wsgi_application()
except SettingsError as error:
    sys.stderr.write(f"{error}\n")
    raise SystemExit(2) from None
