#!/bin/sh
# fapai container entrypoint: refuse the placeholders of docker/.env.example, then run the command.
# (The application itself validates every variable: apps/api/src/config/env.ts.)
set -eu

bad=""
for name in ADMIN_PASSWORD JWT_SECRET IDENTITY_HASH_KEY DATABASE_URL STRIPE_SECRET_KEY STRIPE_WEBHOOK_SECRET SMTP_URL; do
  eval "value=\${$name:-}"
  case "$value" in
    *change-me*) bad="$bad $name" ;;
  esac
done
if [ -n "$bad" ]; then
  echo "fapai: these variables still hold a change-me placeholder from docker/.env.example:$bad" >&2
  echo "fapai: generate real values (e.g. openssl rand -hex 32) in docker/.env and start again." >&2
  exit 78
fi

exec "$@"
