#!/bin/sh
# Installs the Debian packages loadscope needs to build and test, when any is missing.
set -eu
PKGS="clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool check pkg-config libjansson-dev libcap-dev libmount-dev linux-libc-dev wrk libcsv-dev libclang-rt-14-dev libmicrohttpd-dev prometheus curl"
[ $# -gt 0 ] && PKGS="$PKGS $*"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "loadscope: missing Debian packages:$missing; run: sudo apt-get install$missing (or sudo make)" >&2
	exit 1
fi
echo "loadscope: installing missing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
