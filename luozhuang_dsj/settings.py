"""The only settings file. Every value comes from the environment (see README, 配置).

With no environment at all and DEBUG=1 this runs the embedded demo: SQLite under var/,
Celery tasks executed in-process, files under var/.
"""

import datetime as dt
from pathlib import Path

from celery.schedules import crontab

from luozhuang_dsj.lib.env import (
    SettingsError,
    env_bool,
    env_database,
    env_encryption_keys,
    env_int,
    env_list,
    env_redis_url,
    env_required,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", default=False)
if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY") or "django-insecure-demo-only-never-in-production"
else:
    SECRET_KEY = env_required("SECRET_KEY", why="关闭 DEBUG 时必须提供至少 50 个字符的随机密钥")
    if len(SECRET_KEY) < 50:
        raise SettingsError("SECRET_KEY", "长度不足 50 个字符。")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# How many reverse proxies in front of the app append to X-Forwarded-For; 0 trusts none.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=5)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "luozhuang_dsj",
    "registry",
    "plans",
    "inspections",
    "disclosure",
    "notices",
    "office",
    "exchange",
    "opendata",
    # After the project's apps: its failed-login receiver must run after ours (audit order).
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "luozhuang_dsj.middleware.RequestContextMiddleware",
    "luozhuang_dsj.middleware.IdRangeMiddleware",
    "luozhuang_dsj.middleware.AccountPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "luozhuang_dsj.urls"
WSGI_APPLICATION = "luozhuang_dsj.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "luozhuang_dsj.context_processors.navigation",
                "notices.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'luozhuang_dsj.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo's web requests read while an in-process job writes.
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20}
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "luozhuang_dsj.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff-home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "luozhuang_dsj.lib.passwords.CompositionValidator"},
    {"NAME": "luozhuang_dsj.lib.passwords.ChineseCommonPasswordValidator"},
]

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded and generated files live outside the web root and are served only by views
# that check access: no URL pattern serves MEDIA_URL (only Django's test live server does).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
MEDIA_URL = "/media/"
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)
# Evidence attached to an inspection result (photos, PDFs): per file, and files per result.
RESULT_ATTACHMENT_MAX_BYTES = env_int("RESULT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
RESULT_ATTACHMENTS_MAX_COUNT = env_int("RESULT_ATTACHMENTS_MAX_COUNT", 20, minimum=1, maximum=100)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# Celery: with REDIS_URL unset, tasks run in-process (the embedded demo and plain tests).
REDIS_URL = env_redis_url("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "lzdsj",
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # {% cache %} fragments that change only with a deploy (the public site's header and
    # footer): kept in each process's memory, no round trip to Redis on every page.
    "template_fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
    },
}
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = False  # set per task, only on idempotent ones
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# Longer than the longest job, so that Redis does not hand a running job to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 4 * 3600, minimum=60)
}
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "罗庄区“双随机、一公开”监管平台 API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The public API (/api/public/) has its own document at /api/public/schema/.
    "PREPROCESSING_HOOKS": ["opendata.schema.staff_endpoints_only"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
}

# ---- Security: 等保 2.0 level 3 (GB/T 22239-2019); README “安全” explains each choice. ----
# Locked-out usernames are refused before the password is checked (django-axes, in the database).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=3, maximum=10)
AXES_LOCKOUT_PARAMETERS = ["username"]
# 0: a locked account stays locked until the security administrator unlocks it.
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 0, minimum=0)
AXES_COOLOFF_TIME = dt.timedelta(minutes=LOGIN_LOCKOUT_MINUTES) if LOGIN_LOCKOUT_MINUTES else None
AXES_RESET_ON_SUCCESS = False  # reset only when the whole sign-in (password and code) succeeds
AXES_USERNAME_CALLABLE = "luozhuang_dsj.accounts.lockout_username"
AXES_CLIENT_IP_CALLABLE = "luozhuang_dsj.lib.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "luozhuang_dsj.account_views.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the audit trail
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# axes.W006 wants addresses locked too. Behind an office's NAT every user shares one address,
# so a permanent address lock would lock out a whole department; addresses are throttled by
# the expiring rate limit on the login form instead (RATE_LIMITS["login"]).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90, minimum=1, maximum=365)
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 600, minimum=60)
# SESSION_COOKIE_AGE (above) is the absolute session limit; the server enforces it as well.

# Two-factor sign-in (TOTP). Off by default only in the embedded demo; production requires it.
REQUIRE_2FA = env_bool("REQUIRE_2FA", default=not DEBUG)
if not DEBUG and not REQUIRE_2FA:
    raise SettingsError("REQUIRE_2FA", "关闭 DEBUG 的生产环境必须开启双因素认证。")
OTP_TOTP_ISSUER = "罗庄区双随机监管平台"

# Field-level encryption of ID and phone numbers (luozhuang_dsj.lib.fieldcrypt).
FIELD_ENCRYPTION_CURRENT_KEY, FIELD_ENCRYPTION_KEYS = env_encryption_keys(
    "FIELD_ENCRYPTION_KEY",
    # The demo's fixed key: only with DEBUG on, never for real data.
    "demo:ZGVtby1vbmx5LWZpZWxkLWtleS0tbmV2ZXItcmVhbC0=" if DEBUG else None,
)

# The audit trail is kept at least 184 days (等保); the database refuses to delete younger events.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 184, minimum=184)

# Rate limits per client address ("count/seconds"), see luozhuang_dsj.lib.ratelimit.
RATE_LIMITS = {
    "login": env_str("RATE_LIMIT_LOGIN") or "20/600",
    "public_objection": env_str("RATE_LIMIT_PUBLIC_OBJECTION") or "5/3600",
    # The public read-only API (/api/public/), per client address.
    "public_api": env_str("RATE_LIMIT_PUBLIC_API") or "120/60",
}

# Transport and headers. Behind a TLS-terminating proxy, set TRUSTED_PROXY_COUNT; the proxy
# must overwrite X-Forwarded-Proto.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container's own health probe speaks plain HTTP
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", default=True)
CSRF_COOKIE_HTTPONLY = True  # pages carry the token themselves (hx-headers on <body>)
CSRF_FAILURE_VIEW = "luozhuang_dsj.errors.csrf_failure"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Background jobs (luozhuang_dsj.jobs): a job with no live worker and nothing queued for it
# this long is published again; one interrupted this many times is failed.
JOB_REQUEUE_AFTER_SECONDS = env_int("JOB_REQUEUE_AFTER_SECONDS", 300, minimum=10)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3, minimum=1)
# A job's file (an export) can be downloaded for this many days; then the link says it has
# expired and the nightly cleanup deletes the file.
JOB_DOWNLOAD_DAYS = env_int("JOB_DOWNLOAD_DAYS", 7, minimum=1)
CELERY_BEAT_SCHEDULE["requeue-stuck-jobs"] = {
    "task": "luozhuang_dsj.tasks.requeue_stuck_jobs",
    "schedule": 60.0,
}
# Credit risk classes recomputed from results every night (docs/CREDIT_RISK.md), at 02:30.
CELERY_BEAT_SCHEDULE["credit-recompute"] = {
    "task": "inspections.tasks.credit_recompute_nightly",
    "schedule": crontab(hour=2, minute=30),
}
CELERY_BEAT_SCHEDULE["purge-expired-downloads"] = {
    "task": "luozhuang_dsj.tasks.purge_expired_downloads",
    "schedule": crontab(hour=3, minute=15),
}
CELERY_BEAT_SCHEDULE["purge-audit-events"] = {
    "task": "luozhuang_dsj.tasks.purge_audit_events",
    "schedule": 24 * 3600.0,
}
# django-axes logs every failure at WARNING; the audit trail already records them.
LOGGING.setdefault("loggers", {})["axes"] = {"level": "ERROR"}

# ---- Notifications (notices): in the app always; e-mail copies when EMAIL_HOST is set. ----
EMAIL_HOST = env_str("EMAIL_HOST") or ""
NOTIFICATION_EMAIL = bool(EMAIL_HOST)
if NOTIFICATION_EMAIL:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER") or ""
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD") or ""
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise SettingsError("EMAIL_USE_SSL", "不能与 EMAIL_USE_TLS 同时开启。")
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
    DEFAULT_FROM_EMAIL = env_required("DEFAULT_FROM_EMAIL", why="设置 EMAIL_HOST 后须提供发件人地址")
    # E-mails carry absolute links to the notification's page.
    SITE_URL = env_required(
        "SITE_URL", why="设置 EMAIL_HOST 后须提供本站地址，如 https://dsj.example.gov.cn"
    ).rstrip("/")
else:
    SITE_URL = (env_str("SITE_URL") or "").rstrip("/")
NOTIFICATION_EMAIL_MAX_ATTEMPTS = env_int("NOTIFICATION_EMAIL_MAX_ATTEMPTS", 8, minimum=1, maximum=50)
NOTIFICATION_EMAIL_LEASE_SECONDS = 600
CELERY_BEAT_SCHEDULE["send-notification-emails"] = {
    "task": "notices.tasks.send_notification_emails",
    "schedule": 300.0,
}
CELERY_BEAT_SCHEDULE["send-daily-reminders"] = {
    "task": "notices.tasks.send_daily_reminders",
    "schedule": crontab(hour=8, minute=0),
}

# ---- Open data (opendata): the daily snapshot of the public datasets. ----
# Stored outside the web root (MEDIA_ROOT/opendata unless set), served by the open-data views.
OPENDATA_ROOT = env_str("OPENDATA_ROOT") or None
# Dated snapshots are kept this many days (the `latest` one always stays).
OPENDATA_KEEP_DAYS = env_int("OPENDATA_KEEP_DAYS", 90, minimum=1)
CELERY_BEAT_SCHEDULE["opendata-snapshot"] = {
    "task": "opendata.tasks.opendata_snapshot_daily",
    "schedule": crontab(hour=1, minute=15),
}

# ---- Exchange with the provincial platform (exchange app, docs/EXCHANGE.md). ----
# "directory": envelopes are written atomically into EXCHANGE_OUTBOX_DIR, which the
# provincial front-end machine (前置机) collects; "http": each envelope is POSTed to
# EXCHANGE_URL with EXCHANGE_TOKEN. Files from the province are dropped in EXCHANGE_INBOX_DIR.
EXCHANGE_TRANSPORT = env_str("EXCHANGE_TRANSPORT") or "directory"
if EXCHANGE_TRANSPORT not in {"directory", "http"}:
    raise SettingsError("EXCHANGE_TRANSPORT", "只能是 directory 或 http。")
EXCHANGE_OUTBOX_DIR = Path(env_str("EXCHANGE_OUTBOX_DIR") or VAR_DIR / "exchange" / "outbox")
EXCHANGE_INBOX_DIR = Path(env_str("EXCHANGE_INBOX_DIR") or VAR_DIR / "exchange" / "inbox")
if EXCHANGE_TRANSPORT == "http":
    EXCHANGE_URL = env_required("EXCHANGE_URL", why="EXCHANGE_TRANSPORT=http 时须提供省工作平台接收地址")
    if not EXCHANGE_URL.startswith("https://") and not (DEBUG and EXCHANGE_URL.startswith("http://")):
        raise SettingsError("EXCHANGE_URL", "须以 https:// 开头。")
    EXCHANGE_TOKEN = env_required("EXCHANGE_TOKEN", why="EXCHANGE_TRANSPORT=http 时须提供接口令牌")
else:
    EXCHANGE_URL = env_str("EXCHANGE_URL") or ""
    EXCHANGE_TOKEN = env_str("EXCHANGE_TOKEN") or ""
EXCHANGE_TIMEOUT = env_int("EXCHANGE_TIMEOUT", 30, minimum=1, maximum=600)
EXCHANGE_MAX_ATTEMPTS = env_int("EXCHANGE_MAX_ATTEMPTS", 10, minimum=1, maximum=100)
EXCHANGE_RETRY_SECONDS = env_int("EXCHANGE_RETRY_SECONDS", 60, minimum=1)
EXCHANGE_RETRY_MAX_SECONDS = 6 * 3600
# An item being sent is leased this long: a worker killed mid-send leaves it due again after.
EXCHANGE_LEASE_SECONDS = env_int("EXCHANGE_LEASE_SECONDS", 300, minimum=EXCHANGE_TIMEOUT + 1)
EXCHANGE_SENDER_CODE = env_str("EXCHANGE_SENDER_CODE") or "371311"
EXCHANGE_SENDER_NAME = env_str("EXCHANGE_SENDER_NAME") or "临沂市罗庄区"
CELERY_BEAT_SCHEDULE["provincial-exchange"] = {
    "task": "exchange.tasks.exchange_scheduled_run",
    "schedule": float(env_int("EXCHANGE_INTERVAL_SECONDS", 900, minimum=60)),
}
