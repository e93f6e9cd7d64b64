#!/usr/bin/env bash
# A native unit: tells the supervisor it is ready the way systemd services do
# (READY=1 as a datagram on $NOTIFY_SOCKET, sent with socat), then logs a
# heartbeat line every $HEARTBEAT_INTERVAL seconds until it is stopped.
set -euo pipefail

interval="${HEARTBEAT_INTERVAL:-30}"
trap 'echo "heartbeat: stopping"; exit 0' TERM INT

if [[ -n "${NOTIFY_SOCKET:-}" ]]; then
  printf 'READY=1\nSTATUS=beating every %ss\n' "$interval" | socat - "UNIX-SENDTO:${NOTIFY_SOCKET}"
fi
echo "heartbeat: ready as unit ${ENSEMBLE_UNIT:-?}, beating every ${interval}s"
beats=0
while true; do
  sleep "$interval" &
  wait $!
  beats=$((beats + 1))
  echo "heartbeat: beat ${beats}"
done
