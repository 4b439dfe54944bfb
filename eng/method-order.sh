#!/usr/bin/env bash
# Regenerates src/TrafficMonitor/method-order.txt, the order in which the native compiler lays out methods
# (IlcOrderFile), one symbol a line: first the methods the daemon runs in a check at rest (reading the counters, the
# quota policy, the state and ledger written, the timers and tasks between), then those a check with vnStat adds, then
# those of a daemon past its critical point delivering messages, then those `status` runs from its start.
# After start-up the daemon pages its code out, and a check faults back in a few 64 KiB windows instead of ~70 spread
# over the whole binary; a short command faults in fewer windows too (docs/benchmarks.md). Run it after changing what a
# check or start-up runs through; needs valgrind (callgrind), binutils (nm) and vnstat.
# The daemon runs on this machine's own counters with a 2000 GB limit and /bin/true as its action: it changes nothing.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/src/TrafficMonitor/method-order.txt"
work=$(mktemp -d)
daemon=
hook=
cleanup() {
    [ -n "$daemon" ] && kill "$daemon" 2>/dev/null || true
    [ -n "$hook" ] && kill "$hook" 2>/dev/null || true
    [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

for tool in valgrind callgrind_control nm vnstat vnstatd; do
    command -v "$tool" >/dev/null || { echo "method-order: $tool is missing (apt-get install valgrind binutils vnstat)" >&2; exit 1; }
done

# Laid out as without a list, so that the list never depends on the one before it.
dotnet publish -c Release "$root/src/TrafficMonitor" -p:IlcGenerateMapFile=true -p:IlcOrderFile= -o "$work/bin" >/dev/null
map=$(ls -t "$root"/src/TrafficMonitor/obj/Release/*/*/native/traffic-monitor.map.xml | head -1)
# valgrind cannot read the compiler's DWARF: out of its sight (the binary names it beside itself), read with nm below.
mv "$work/bin/traffic-monitor.dbg" "$work/traffic-monitor.dbg"

# A daemon checking every 2 s (each check writing the ledger, as each minute's does at the defaults), with a webhook,
# in three kinds: the system's own counters or vnStat (a database of its own here), the quota far away and the webhook
# idle; and one that has passed the critical point and delivers its messages to a local server (the first asked to
# come back a second later, so that the delivery falls among the checks recorded).
# settings NAME PROVIDER LIMIT INTERVAL WEBHOOK [MORE]
settings() {
    cat <<EOF
thresholds:
  total_limit: "$3"
  interval: "$4"
  critical_percentage: 90
monitor:
  state_dir: "$work/state-$1"
  provider: $2
  check_interval: 2s
  checkpoint_interval: 2s
${6:-}
actions:
  shutdown:
    command: ["/bin/true"]
webhooks:
  - url: $5
    format: json
EOF
}
python3 - "$work/hook.port" <<'PY' &
import http.server, sys
answered = 0
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global answered
        self.rfile.read(int(self.headers.get('Content-Length', 0)))
        answered += 1
        self.send_response(429 if answered == 1 else 200)
        if answered == 1:
            self.send_header('Retry-After', '1')
        self.send_header('Content-Length', '0')
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(('127.0.0.1', 0), Hook)
open(sys.argv[1], 'w').write(str(server.server_port))
server.serve_forever()
PY
hook=$!
for _ in $(seq 50); do [ -s "$work/hook.port" ] && break; sleep 0.1; done
# vnStat counts the interface that moved the most (not lo).
interface=$(awk 'NR > 2 { sub(/^ +/, ""); split($0, f, /:/); split(f[2], n, " ")
                          if (f[1] != "lo" && n[1] + 0 >= most) { most = n[1] + 0; name = f[1] } } END { print name }' /proc/net/dev)
settings system system "2000 GB" "100 GB" http://127.0.0.1:9/hook >"$work/system.yaml"
# Any machine has moved a few megabytes since it booted: the first check passes the stage and the critical point.
settings alerted system "2 MB" "1 MB" "http://127.0.0.1:$(cat "$work/hook.port")/hook" >"$work/alerted.yaml"
mkdir -p "$work/vnstat-db"
printf 'DatabaseDir "%s"\nUseLogging 0\n' "$work/vnstat-db" >"$work/vnstat.conf"
vnstatd --initdb --config "$work/vnstat.conf" >/dev/null
vnstat --config "$work/vnstat.conf" --add -i "$interface" --force >/dev/null
settings vnstat vnstat "2000 GB" "100 GB" http://127.0.0.1:9/hook "  interfaces: [$interface]
vnstat:
  config: \"$work/vnstat.conf\"" >"$work/vnstat.yaml"

# Counted from the first check on: start-up's code is paged out after it, and what later checks run is what comes back.
record_checks() {
    valgrind --tool=callgrind --fair-sched=yes --instr-atstart=no --dump-instr=yes --compress-pos=no --compress-strings=no \
        --callgrind-out-file="$work/checks-$1.out" \
        "$work/bin/traffic-monitor" --config "$work/$1.yaml" run >"$work/daemon-$1.log" 2>&1 &
    daemon=$!
    for _ in $(seq 600); do
        [ -f "$work/state-$1/state.json" ] || ! kill -0 "$daemon" 2>/dev/null && break
        sleep 0.1
    done
    [ -f "$work/state-$1/state.json" ] || { cat "$work/daemon-$1.log" >&2; echo "method-order: no first check within a minute" >&2; exit 1; }
    callgrind_control -i on "$daemon" >/dev/null 2>&1
    sleep 21 # ten checks
    callgrind_control -d "$daemon" >/dev/null 2>&1
    kill "$daemon"
    wait "$daemon" 2>/dev/null || true
    daemon=
}
record_checks system
record_checks vnstat
record_checks alerted

# The short command, on the state and ledger the daemon left, from its first instruction.
valgrind --tool=callgrind --dump-instr=yes --compress-pos=no --compress-strings=no --callgrind-out-file="$work/status.out" \
    "$work/bin/traffic-monitor" --config "$work/system.yaml" status >/dev/null 2>&1

sed -n 's/.*<MethodCode Name="\([^"]*\)".*/\1/p' "$map" | sed 's/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g' | sort -u >"$work/methods"
nm --defined-only "$work/traffic-monitor.dbg" | awk '$2 ~ /[tTwW]/ { print $1, "0", $3 }' >"$work/symbols"

# The binary's methods that ran, by name, from callgrind's records of every instruction (a method reached by a jump,
# not a call, has no function entry of its own there). valgrind names only the first part of the binary's code as
# its; the rest runs as "???": the binary is not position-independent, so addresses are its symbols' own, and only
# the compiler's methods are kept.
methods_run() {
    cat "$@" | awk -v binary="$work/bin/traffic-monitor" '
        /^ob=/ { object = substr($0, 4) }
        /^0x/ && (object == binary || object == "???") {
            address = substr($1, 3); if (length(address) > 8) next; while (length(address) < 16) address = "0" address; print address, "1" }' |
        sort -u | sort - "$work/symbols" | awk '$2 == "0" { name = $3 } $2 == "1" && name != "" { print name }' | sort -u |
        comm -12 - "$work/methods"
}
methods_run "$work"/checks-system.out* >"$work/system"
methods_run "$work"/checks-vnstat.out* | comm -23 - "$work/system" >"$work/vnstat"
sort -u "$work/system" "$work/vnstat" >"$work/quiet"
methods_run "$work"/checks-alerted.out* | comm -23 - "$work/quiet" >"$work/alerted"
sort -u "$work/quiet" "$work/alerted" >"$work/checks"
methods_run "$work/status.out" | comm -23 - "$work/checks" >"$work/status"
cat "$work/system" "$work/vnstat" "$work/alerted" "$work/status" >"$out"
echo "method-order: $(wc -l <"$work/system") methods of a check, $(wc -l <"$work/vnstat") more with vnStat," \
    "$(wc -l <"$work/alerted") more past the critical point delivering messages, then $(wc -l <"$work/status") of status, in ${out#"$root"/}"
