# lab_lock NAME: one lab at a time on this machine. The lab's namespaces are
# named by one prefix, so a second run (another ctest, a second engineer)
# would tear this one down; it waits here instead. The lock is an exclusive
# flock on /run/reachmap-lab.lock, held on fd 9 until the script exits;
# RMLAB_LOCKED=1 tells reachmap-lab, run from here, that its caller holds it.
# Start lab daemons with 9>&- so they do not keep the lock open.
lab_lock() {
	local wait=${RMLAB_LOCK_WAIT:-150}
	exec 9>>/run/reachmap-lab.lock || { echo "FAIL $1: cannot open /run/reachmap-lab.lock"; exit 1; }
	if ! flock -w "$wait" 9; then
		echo "FAIL $1: another lab run held /run/reachmap-lab.lock for $wait s"
		exit 1
	fi
	export RMLAB_LOCKED=1
}

# lab_need_netns NAME: exit 77 (ctest's skip) where namespaces cannot be
# made. Run it holding the lock: the trial namespace carries the prefix.
lab_need_netns() {
	local n=rmlab-trial-$$
	if ! ip netns add "$n" 2>/dev/null; then
		echo "$1: SKIP: cannot create network namespaces here"
		exit 77
	fi
	ip netns del "$n"
}
