#!/bin/sh
# The official image's contract: /etc/nginx/templates/*.template -> /etc/nginx/conf.d/ through envsubst
# (defined variables only), NGINX_LOCAL_RESOLVERS from /etc/resolv.conf when asked.
set -eu
if [ -n "${NGINX_ENTRYPOINT_LOCAL_RESOLVERS:-}" ]; then
  NGINX_LOCAL_RESOLVERS=$(awk 'BEGIN{ORS=" "} $1=="nameserver" {if ($2 ~ ":") print "["$2"]"; else print $2}' /etc/resolv.conf)
  export NGINX_LOCAL_RESOLVERS
fi
defined=$(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/${\1}/p' | tr '\n' ' ')
for t in /etc/nginx/templates/*.template; do
  [ -f "$t" ] || continue
  envsubst "$defined" < "$t" > "/etc/nginx/conf.d/$(basename "$t" .template)"
done
exec "$@"
