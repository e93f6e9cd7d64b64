#!/usr/bin/env bash
# Installs the peers the benchmark compares Ensemble against, without letting any
# of them take over the machine's init:
#   - supervisord, runit and s6 from Debian packages (apt-get, no recommends);
#     a policy-rc.d that denies every service start (exit 101) is in place while
#     they install, and any daemon a package started anyway is stopped by its pid file;
#   - PM2 is a dev dependency of the repository (node_modules/.bin/pm2): nothing to do.
# Safe to run again: does nothing when everything is present. Needs root (or sudo).
set -euo pipefail

packages=(supervisor runit s6)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "bench: peers already installed (${packages[*]})" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "bench: not a Debian system; install these yourself: ${missing[*]}" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "bench: need root or sudo to install ${missing[*]}" >&2
    exit 1
  fi
fi

# Deny service starts during the install. Keep an existing policy-rc.d and put it back.
policy=/usr/sbin/policy-rc.d
backup=""
if [ -e "$policy" ]; then
  backup="$(mktemp)"
  $sudo cp -p "$policy" "$backup"
fi
restore_policy() {
  if [ -n "$backup" ]; then $sudo cp -p "$backup" "$policy"; rm -f "$backup"; else $sudo rm -f "$policy"; fi
}
trap restore_policy EXIT
printf '#!/bin/sh\n# bench/install-peers.sh: no service starts while the peers install\nexit 101\n' | $sudo tee "$policy" >/dev/null
$sudo chmod 755 "$policy"

# Pids of the daemons these packages could start, before the install (they are not ours to stop).
daemons() { for name in supervisord runsvdir s6-svscan; do pgrep -x "$name" || true; done; }
before="$(daemons)"

echo "bench: installing ${missing[*]} (service starts denied)" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# Whatever a package started anyway is stopped by its pid file (never by name).
stop_pidfile() {
  local file="$1" pid
  [ -r "$file" ] || return 0
  pid="$(tr -dc '0-9' <"$file")"
  [ -n "$pid" ] || return 0
  if grep -qx "$pid" <<<"$before"; then return 0; fi
  if kill -0 "$pid" 2>/dev/null; then
    echo "bench: stopping daemon $pid started by the package install ($file)" >&2
    $sudo kill -TERM "$pid" || true
  fi
}
stop_pidfile /var/run/supervisord.pid
stop_pidfile /run/supervisord.pid
stop_pidfile /run/runit/runsvdir.pid
stop_pidfile /var/run/runsvdir.pid
stop_pidfile /run/s6-svscan.pid

after="$(daemons)"
for pid in $after; do
  if ! grep -qx "$pid" <<<"$before"; then
    echo "bench: warning: a $(cat /proc/"$pid"/comm 2>/dev/null) daemon (pid $pid) appeared during the install and has no pid file; stop it yourself" >&2
  fi
done
echo "bench: installed ${missing[*]}" >&2
