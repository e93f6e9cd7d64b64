#!/bin/sh
# A unit of the chaos test: forks CHILDREN (first argument) children and one
# grandchild (a child that forks); with ESCAPE=1 (second argument) also one
# process that leaves the unit's process group (setsid), as a detaching daemon
# would; with SLOW=1 (third argument) it takes a second to stop after SIGTERM.
# Logs a line a second; SIGUSR1 floods the log with 50,000 lines. The other
# arguments only tag the instance (a reload that changes them restarts it).
children=${1:-2}
escape=${2:-0}
slow=${3:-0}
i=0
while [ "$i" -lt "$children" ]; do
  sleep 100000 &
  i=$((i + 1))
done
sh -c 'sleep 100000 & wait' &
if [ "$escape" = 1 ]; then
  setsid sleep 100000 &
fi
if [ "$slow" = 1 ]; then
  trap 'sleep 1; exit 0' TERM
fi
trap 'yes "flood $$ ........................................................" | head -n 50000' USR1
while :; do
  echo "tick $$"
  sleep 1
done
