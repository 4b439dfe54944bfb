#!/bin/sh
# Builds the Debian package: eng/build-deb.sh [--binary PATH] [--version VERSION] [--output DIR]
#
# Without --binary it publishes the native binary first (`dotnet publish -c Release`, the host's platform). The
# package holds /usr/bin/traffic-monitor, the unit from deploy/systemd/, the shipped example as the conffile
# /etc/traffic-monitor/settings.yaml (mode 0600: it may hold a password) and /var/lib/traffic-monitor (0700); its
# postinst creates the system group traffic-monitor that the unit runs in (docs/service.md).
# Depends: names the C library version the binary's symbols need, libssl3, which .NET loads at run time (TLS
# for SMTP and webhooks, and SHA-256), so ldd cannot see it, and passwd, whose groupadd the postinst runs. Built
# with dpkg-deb --root-owner-group: no fakeroot.
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
binary=
version=
output=$repo/artifacts
while [ $# -gt 0 ]; do
    case "$1" in
    --binary) binary=$2; shift 2 ;;
    --version) version=$2; shift 2 ;;
    --output) output=$2; shift 2 ;;
    *) echo "usage: $0 [--binary PATH] [--version VERSION] [--output DIR]" >&2; exit 64 ;;
    esac
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -z "$binary" ]; then
    dotnet publish "$repo/src/TrafficMonitor" -c Release -o "$work/publish" >&2
    binary=$work/publish/traffic-monitor
fi
[ -z "$version" ] && version=$("$binary" --version | sed 's/+.*//')


case "$(readelf -h "$binary" | sed -n 's/^ *Machine: *//p')" in
*X86-64*) arch=amd64 ;;
*AArch64*) arch=arm64 ;;
*) echo "build-deb: unknown machine in $binary" >&2; exit 1 ;;
esac

# The highest GLIBC_x.y symbol version the binary asks for is the libc6 it needs.
glibc=$(readelf --dyn-syms -W "$binary" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -t. -k1,1n -k2,2n -k3,3n | tail -1)
needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
for library in $needed; do
    case "$library" in
    libc.so.6|libm.so.6|ld-linux-*|libpthread.so.0|libdl.so.2|librt.so.1) ;;
    *) echo "build-deb: $binary links $library, which Depends: does not name yet" >&2; exit 1 ;;
    esac
done

root=$work/root
install -d -m 0755 "$root/DEBIAN" "$root/usr/bin" "$root/usr/lib/systemd/system" "$root/etc/traffic-monitor" \
    "$root/usr/share/doc/traffic-monitor"
install -d -m 0700 "$root/var/lib/traffic-monitor"
install -m 0755 "$binary" "$root/usr/bin/traffic-monitor"
install -m 0644 "$repo/deploy/systemd/traffic-monitor.service" "$root/usr/lib/systemd/system/traffic-monitor.service"
install -m 0600 "$repo/config/settings.yaml" "$root/etc/traffic-monitor/settings.yaml"
install -m 0644 "$repo/README.md" "$root/usr/share/doc/traffic-monitor/README.md"
install -m 0644 "$repo/deploy/debian/conffiles" "$root/DEBIAN/conffiles"
for script in postinst prerm postrm; do
    install -m 0755 "$repo/deploy/debian/$script" "$root/DEBIAN/$script"
done

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$size/" \
    -e "s/@DEPENDS@/libc6 (>= $glibc), libssl3, passwd/" "$repo/deploy/debian/control.in" > "$root/DEBIAN/control"

mkdir -p "$output"
deb=$output/traffic-monitor_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >&2
echo "$deb"
