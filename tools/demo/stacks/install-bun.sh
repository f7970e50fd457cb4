#!/bin/bash
# Installs Bun from the npm registry into NPM_DIR and links its binary at LINK.
# Usage: install-bun.sh NPM_DIR LINK
# The npm package `bun` ships the binary in an optional dependency per platform
# (@oven/bun-linux-x64 on glibc x86_64); its postinstall script only moves that binary into
# bun/bin/ or, when the optional dependency is missing, fetches it again. Scripts are not run
# here (--ignore-scripts): the binary is taken from the platform package, and nothing but the
# npm registry is needed. npm's cache is kept in NPM_DIR, not in $HOME.
set -euo pipefail
BUN_VERSION=1.4.5
npm_dir=$1
link=$2
here=$(dirname "$0")

"$here/../../install-deps.sh" nodejs
# Debian's nodejs comes without npm (a package of its own); NodeSource's includes it.
command -v npm >/dev/null || "$here/../../install-deps.sh" npm

case "$(uname -m)" in
x86_64) platform=linux-x64 ;;
aarch64) platform=linux-aarch64 ;;
*)
	echo "install-bun: no Bun package for $(uname -m)" >&2
	exit 1
	;;
esac
# Bun's default x86_64 build needs AVX2; the baseline build runs on any x86_64 CPU.
[ "$platform" = linux-x64 ] && ! grep -qw avx2 /proc/cpuinfo && platform=linux-x64-baseline
pkg=@oven/bun-$platform

mkdir -p "$npm_dir"
echo "install-bun: npm install bun@$BUN_VERSION $pkg@$BUN_VERSION into $npm_dir"
npm install --prefix "$npm_dir" --cache "$npm_dir/.cache" --ignore-scripts --no-audit --no-fund \
	--no-save --loglevel=error "bun@$BUN_VERSION" "$pkg@$BUN_VERSION"
bin=$npm_dir/node_modules/$pkg/bin/bun
version=$("$bin" --version)
if [ "$version" != "$BUN_VERSION" ]; then
	echo "install-bun: $bin says version '$version', not $BUN_VERSION" >&2
	exit 1
fi
mkdir -p "$(dirname "$link")"
ln -sfn "$(realpath --relative-to="$(dirname "$link")" "$bin")" "$link"
echo "install-bun: $link -> $bin (bun $version)"
