# Production image: gunicorn (gunicorn.conf.py) + whitenoise; the worker runs from the same image.
# compose.yaml starts PostgreSQL, web and worker together.
#   docker build -t crm .
#   docker run -e DATABASE_URL=postgres://... -e SECRET_KEY=... -p 8000:8000 crm web
#   docker run -e DATABASE_URL=postgres://... -e SECRET_KEY=... crm worker
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 1000 crm
WORKDIR /app

# Dependencies first: this layer is cached until requirements.txt changes.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=crm:crm . .
# collectstatic needs settings but no database: give it a throwaway URL.
RUN DATABASE_URL=postgres://build@localhost/build SECRET_KEY=build python manage.py collectstatic --no-input \
    && chmod +x docker-entrypoint.sh

# Uploads and exports (mount a volume shared by web and worker here).
ENV MEDIA_ROOT=/data/media
RUN mkdir -p /data/media && chown crm:crm /data/media

USER crm
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
ENTRYPOINT ["./docker-entrypoint.sh"]
CMD ["web"]
