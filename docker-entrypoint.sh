#!/bin/sh
# `web`: migrate, then serve with gunicorn. `worker`: run the background task worker.
set -e
case "$1" in
  web)
    python manage.py migrate --no-input
    exec gunicorn crm.wsgi:application --bind 0.0.0.0:8000 \
      --workers "${WEB_CONCURRENCY:-5}" --timeout "${GUNICORN_TIMEOUT:-60}" --access-logfile -
    ;;
  worker)
    exec python manage.py worker
    ;;
  *)
    exec "$@"
    ;;
esac
