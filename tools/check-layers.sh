#!/bin/bash
# Checks the one-way rule of user/ (user/README.md): each layer includes only the layers below it,
# and only observe/ includes libbpf or the skeleton. Prints each violation; exits 1 on any.
set -euo pipefail
root=${1:-user}

# layer -> the project headers it may include (its own directory always)
declare -A allowed=(
	[core]="core"
	[render]="core render"
	[io]="core render io"
	[targets]="core targets"
	[observe]="core targets observe"
	[cmd]="core render io targets observe cmd"
	[.]="cmd"
)
bad=0
for layer in "${!allowed[@]}"; do
	if [ "$layer" = . ]; then
		files=$(find "$root" -maxdepth 1 -name '*.[ch]')
	else
		[ -d "$root/$layer" ] || continue
		files=$(find "$root/$layer" -name '*.[ch]')
	fi
	[ -n "$files" ] || continue
	for f in $files; do
		while IFS=: read -r line inc; do
			dir=${inc%%/*}
			if [ "$dir" = "$inc" ]; then
				# headers outside user/: the BPF side's plain types, generated tables, the skeleton
				case "$inc" in
				loadscope.h | syscall_names.h) continue ;;
				*.skel.h) [ "$layer" = observe ] && continue ;;
				esac
				echo "$f:$line: includes \"$inc\", which is not in a layer directory" >&2
				bad=1
				continue
			fi
			case " ${allowed[$layer]} " in
			*" $dir "*) ;;
			*)
				echo "$f:$line: $layer/ may not include \"$inc\" (allowed: ${allowed[$layer]})" >&2
				bad=1
				;;
			esac
		done < <(grep -n '^#include "' "$f" | sed 's/^\([0-9]*\):#include "\([^"]*\)".*/\1:\2/')
		if [ "$layer" != observe ] && grep -qn '^#include <\(bpf/\|libbpf\)' "$f"; then
			echo "$f: includes a libbpf header; only observe/ may" >&2
			bad=1
		fi
	done
done
exit $bad
