#!/bin/sh
# Like the official image: redis-server ARGS as the redis user, reachable from other containers.
set -eu
[ "${1:-}" = redis-server ] || exec "$@"
shift
exec setpriv --reuid=redis --regid=redis --init-groups redis-server "$@" --protected-mode no --dir /var/lib/redis
