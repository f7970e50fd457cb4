#!/bin/sh
# /init of the test guest: mount what loadscope needs, run the integration suite, power off.
# Everything the host reads goes to the second serial port (ttyS1); kernel messages stay on ttyS0.
# Kernel command-line words of the form NAME=value reach this script as environment variables.
export PATH=/bin:/usr/bin:/sbin:/usr/sbin
export HOME=/root TMPDIR=/tmp CI=true LOADSCOPE_GUEST=1
export LOADSCOPE=/opt/loadscope/loadscope LOADSCOPE_WORKLOADS=/opt/loadscope/workloads

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mkdir -p /sys/fs/bpf && mount -t bpf bpf /sys/fs/bpf 2>/dev/null
# cgroup v2, as a pure v2 host has it: the --cgroup and --container tests make cgroups in it;
# with the cpu controller enabled below the root, as systemd does, for the CPU quota tests
mkdir -p /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup
echo +cpu >/sys/fs/cgroup/cgroup.subtree_control
ip link set lo up 2>/dev/null

out=/dev/ttyS1
[ -c "$out" ] || out=/dev/console
{
	echo "GUEST-KERNEL $(uname -r)"
	echo "GUEST-VERSION $(cat /proc/version)"
	echo "GUEST-CPUS $(nproc)"
	started=$(cut -d' ' -f1 /proc/uptime)
	"$LOADSCOPE" --features 2>&1 | sed 's/^/GUEST-FEATURE /'
	cd /opt/loadscope && ./integration_tests
	status=$?
	echo "GUEST-SUITE-SECONDS $(awk -v s="$started" '{ printf "%.1f", $1 - s }' /proc/uptime)"
	echo "GUEST-EXIT $status"
} >"$out" 2>&1
sync
poweroff -f
# poweroff -f does not return; should it fail, a halted guest ends in the host's timeout
sleep 3600
