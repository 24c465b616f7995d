# The web app, Celery worker and Celery beat share this image (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var \
    MEDIA_ROOT=/data/media

# postgresql-client: pg_dump/pg_restore for `manage.py backup`; the CJK font: printed notices.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 dsj \
    && mkdir -p /data/media /data/beat \
    && chown -R dsj:dsj /data

WORKDIR /app
# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml ./
RUN mkdir -p luozhuang_dsj registry plans inspections disclosure \
    && touch luozhuang_dsj/__init__.py registry/__init__.py plans/__init__.py inspections/__init__.py disclosure/__init__.py \
    && pip install -e . \
    && rm -rf luozhuang_dsj registry plans inspections disclosure
COPY . .
RUN pip install --no-deps -e . \
    && DEBUG=0 SECRET_KEY=collectstatic-only-not-a-real-secret-key-000000000000000 \
       FIELD_ENCRYPTION_KEY=build:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
       python manage.py collectstatic --noinput \
    && chown -R dsj:dsj /app/var

USER dsj
EXPOSE 8000
CMD ["gunicorn", "luozhuang_dsj.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
