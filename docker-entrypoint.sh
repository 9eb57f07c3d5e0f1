#!/bin/sh
# `web`: migrate, then serve with gunicorn. `worker`: run the background task worker.
set -e
case "$1" in
  web)
    python manage.py migrate --no-input
    exec gunicorn crm.wsgi:application -c gunicorn.conf.py
    ;;
  worker)
    exec python manage.py worker
    ;;
  *)
    exec "$@"
    ;;
esac
