# Labs side by side. A lab's namespaces are named by its prefix
# (RMLAB_PREFIX, lab/lib/lab.sh), so two runs with one prefix would tear
# each other down. make check's ctest -j runs up to RMLAB_SLOTS labs at once
# (2: fds 9 and 8, which the lab's daemons are started without): slot 0 is
# the prefix rmlab- (/run/reachmap-lab.lock), slot N is rmlabN-
# (/run/reachmap-lab-N.lock). A test takes a free slot and holds its flock
# on fd 9 until it exits; RMLAB_LOCKED=1 tells reachmap-lab, run from here,
# that its caller holds it. Start lab daemons with 8>&- 9>&- so they do not
# keep a lock open. Every pod's namespace is then "$RMLAB_PREFIX$POD".
RMLAB_SLOTS=2

lab_slot_lock() { if [ "$1" = 0 ]; then echo /run/reachmap-lab.lock; else echo "/run/reachmap-lab-$1.lock"; fi; }
lab_slot_prefix() { if [ "$1" = 0 ]; then echo rmlab-; else echo "rmlab$1-"; fi; }

# lab_lock NAME: a free slot, waiting up to RMLAB_LOCK_WAIT s (150) for one.
lab_lock() {
	local wait=${RMLAB_LOCK_WAIT:-150} deadline slot lock
	deadline=$(($(date +%s) + wait))
	while :; do
		for slot in $(seq 0 $((RMLAB_SLOTS - 1))); do
			lock=$(lab_slot_lock "$slot")
			exec 9>>"$lock" || { echo "FAIL $1: cannot open $lock"; exit 1; }
			if flock -n 9; then
				export RMLAB_PREFIX RMLAB_LOCKED=1
				RMLAB_PREFIX=$(lab_slot_prefix "$slot")
				return 0
			fi
			exec 9>&-
		done
		if [ "$(date +%s)" -ge "$deadline" ]; then
			echo "FAIL $1: every lab slot (/run/reachmap-lab*.lock) was held for $wait s"
			exit 1
		fi
		sleep 0.2
	done
}

# lab_lock_all NAME: every slot (fd 9 slot 0, fd 8 slot 1), for a test that
# looks at the whole machine (no lab process left anywhere); its own lab is
# slot 0's.
lab_lock_all() {
	local wait=${RMLAB_LOCK_WAIT:-150} lock0 lock1
	lock0=$(lab_slot_lock 0) lock1=$(lab_slot_lock 1)
	exec 9>>"$lock0" || { echo "FAIL $1: cannot open $lock0"; exit 1; }
	flock -w "$wait" 9 || { echo "FAIL $1: another lab run held $lock0 for $wait s"; exit 1; }
	exec 8>>"$lock1" || { echo "FAIL $1: cannot open $lock1"; exit 1; }
	flock -w "$wait" 8 || { echo "FAIL $1: another lab run held $lock1 for $wait s"; exit 1; }
	export RMLAB_PREFIX=rmlab- RMLAB_LOCKED=1
}

# lab_need_netns NAME: exit 77 (ctest's skip) where namespaces cannot be
# made. Run it holding a slot: the trial namespace carries its prefix.
lab_need_netns() {
	local n=${RMLAB_PREFIX:-rmlab-}trial-$$
	if ! ip netns add "$n" 2>/dev/null; then
		echo "$1: SKIP: cannot create network namespaces here"
		exit 77
	fi
	ip netns del "$n"
}
