#!/bin/sh
# Replaces the README's "Supported kernels" table with the one the last `make test-kernels` wrote.
# Usage: tools/kernels/update-readme.sh [FRAGMENT]   (default build/kernels/supported-kernels.md)
set -eu
cd "$(dirname "$0")/../.."
fragment=${1:-build/kernels/supported-kernels.md}
begin='<!-- supported-kernels:begin -->'
end='<!-- supported-kernels:end -->'
[ -s "$fragment" ] || { echo "update-readme.sh: $fragment not found: run make test-kernels first" >&2; exit 1; }
if ! grep -q '^<!-- make test-kernels: [0-9]* passed, 0 failed -->$' "$fragment"; then
	echo "update-readme.sh: the run that wrote $fragment did not pass on every kernel" >&2
	exit 1
fi
if ! grep -qF "$begin" README.md || ! grep -qF "$end" README.md; then
	echo "update-readme.sh: README.md lacks the $begin and $end markers" >&2
	exit 1
fi
awk -v begin="$begin" -v end="$end" -v fragment="$fragment" '
	$0 == begin { print; while ((getline line < fragment) > 0) print line; skip = 1; next }
	$0 == end { skip = 0 }
	!skip { print }
' README.md >README.md.new
mv README.md.new README.md
echo "README.md: Supported kernels table updated from $fragment"
