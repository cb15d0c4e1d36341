# East's DNS answers REFUSED for every west name (no forward for that zone),
# central's lookups of west names time out (its stub points at a port where
# nothing listens). West's names resolve from west itself, every other name
# resolves everywhere, and every address works (the sweep connects by
# address).
want_dns() {
	W=
	[ "${CL[$2]}" = west ] || return 0
	case ${CL[$1]} in
	east) W=REFUSED ;;
	central) W=TIMEOUT ;;
	esac
	true
}
sweep
