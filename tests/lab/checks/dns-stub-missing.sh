# East's DNS has no stub for west.cluster.local: east gets NXDOMAIN for every
# west name; it resolves its own, west resolves east's, addresses all work.
want_dns() { W=; [ "${CL[$1]}" = east ] && [ "${CL[$2]}" = west ] && W=NXDOMAIN; }
sweep
