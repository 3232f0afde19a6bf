#!/bin/sh
# Runs once, when the compose PostgreSQL volume is first initialised (the official image
# executes /docker-entrypoint-initdb.d/*.sh as the superuser).
#
# The app logs in as its own role, not the superuser: it creates one NOLOGIN role per town
# (CREATEROLE) and the town schemas (it owns the database). Same setup as in production,
# see docs/operations/deploy.md.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
     -v app_password="$LIAISON_DB_PASSWORD" <<'SQL'
CREATE ROLE liaison LOGIN CREATEROLE PASSWORD :'app_password';
CREATE DATABASE liaison OWNER liaison ENCODING 'UTF8' TEMPLATE template0;
SQL
