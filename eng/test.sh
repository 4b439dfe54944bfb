#!/usr/bin/env bash
# Runs every test. Installs the Debian packages the tests drive (vnStat, an SMTP server, iperf3, nftables,
# iproute2, sqlite3, openssl, prometheus and promtool, headless chromium, tmux, systemd-analyze, mmdebstrap and
# systemd-nspawn, which boots a disposable root with its own systemd) when they are missing, then prints one summary
# line: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(vnstat python3-aiosmtpd iperf3 nftables iproute2 procps sqlite3 openssl prometheus chromium tmux systemd mmdebstrap systemd-container)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
  echo "Installing test dependencies: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
dotnet test TrafficMonitor.slnx --logger "trx" --results-directory "$results" "$@" || status=$?

# dotnet test's own summary is per project and hard for CI to read: add one line for the whole run.
passed=0; failed=0; skipped=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  value() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
  # xUnit's skipped tests are in the total but not executed (notExecuted stays 0).
  skipped=$((skipped + $(value total) - $(value executed)))
done
if ((status != 0 && failed == 0)); then
  failed=1  # the run broke before reporting (build error, crashed host): never report it as green
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
