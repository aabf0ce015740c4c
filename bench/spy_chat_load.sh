#!/usr/bin/env bash
# Where the chat server's interpreter time goes under load, without touching the server:
# py-spy (PyPI; installed into the project's venv on first use) samples the server process
# from outside during bench/chat_load.py's sending phase. --gil keeps only the samples of the
# thread holding the interpreter lock: on a server whose Python work is bound by that lock,
# these are its CPU shares (threads waiting for the lock, a socket or the disk are left out).
#
#   bench/spy_chat_load.sh OUT [chat_load.py options]     e.g.
#   bench/spy_chat_load.sh /tmp/spy --clients 500 --interval 2 --seconds 20
#   python bench/spy_report.py /tmp/spy.raw               # self and inclusive shares
#   python bench/spy_report.py /tmp/spy.raw --under "ActionsMixin.send"   # its callees
#
# SPY_SECONDS (default 15) sets the recording's length, SPY_ARGS replaces "--gil".
set -euo pipefail
out=$1
shift
cd "$(dirname "$0")/.."
source scripts/env.sh
command -v py-spy >/dev/null || python -m pip install -q py-spy
rm -f "$out.phase" "$out.raw"
python bench/chat_load.py --phase-file "$out.phase" "$@" >"$out.log" 2>&1 &
bench=$!
while [ ! -s "$out.phase" ] && kill -0 "$bench" 2>/dev/null; do sleep 0.5; done
sleep 2
# The server: the busiest Python process that is not the bench itself.
server=$(ps -eo pid,pcpu,args --sort=-pcpu | grep python | grep -v "chat_load\|grep\|py-spy" |
    head -1 | awk '{print $1}')
echo "recording server pid $server for ${SPY_SECONDS:-15} s"
# shellcheck disable=SC2086
py-spy record ${SPY_ARGS:---gil} -p "$server" -d "${SPY_SECONDS:-15}" -r 200 -f raw -o "$out.raw" \
    >"$out.spy" 2>&1 || true
wait "$bench" || true
tail -1 "$out.log"
echo "profile: $out.raw (python bench/spy_report.py $out.raw)"
