#!/bin/sh
# Stops a make target that loads BPF programs when not run as root, saying what to run instead.
if [ "$(id -u)" -ne 0 ]; then
	echo "loadscope: '$1' loads BPF programs and needs root: run 'sudo $1'" >&2
	exit 1
fi
