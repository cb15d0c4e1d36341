# East's pods are 10.200.128.0/17, inside west's 10.200.0.0/16; west's zone
# us-west1-b and east's us-east1-b both hold 10.200.129.0/24, so west-b-0 and
# east-b-0 share 10.200.129.10, dc-west-rack2-sts-0 and dc-east-rack1-sts-0
# share 10.200.129.20.
#
# owner SRC ADDRESS: O is the pod that answers: its own cluster's, when that
# cluster has a pod with the address, else the other cluster's.
owner() {
	local p
	O=
	for p in "${PODLIST[@]}"; do [ "${ADDR[$p]}" = "$2" ] && [ "${CL[$p]}" = "${CL[$1]}" ] && { O=$p; return; }; done
	for p in "${PODLIST[@]}"; do [ "${ADDR[$p]}" = "$2" ] && { O=$p; return; }; done
}
# The answer from the other cluster is lost when that cluster holds the
# source's /24 too: it goes to the look-alike there.
cut() {
	local p
	W=
	owner "$1" "${ADDR[$2]}"
	[ "${CL[$O]}" = "${CL[$1]}" ] && return
	for p in "${PODLIST[@]}"; do
		[ "${CL[$p]}" = "${CL[$O]}" ] && [ "${ADDR[$p]%.*}" = "${ADDR[$1]%.*}" ] && { W=timeout; return; }
	done
}
# Where the packet gets an answer, the wrong pod may give it.
want_identity() {
	W=
	owner "$1" "${ADDR[$2]}"
	[ "$O" = "$2" ] || W="open name=$O peer=${ADDR[$1]}"
}
sweep
# Spelled out: from west, 10.200.129.20 is west's own pod; from east, east's.
expect_identity west-a-0 10.200.129.20 dc-west-rack2-sts-0 10.200.1.10
expect_identity east-c-0 10.200.129.20 dc-east-rack1-sts-0 10.200.130.10
PLAN_EXIT=1
PLAN_FINDS=("[cidr-overlap] west pods 10.200.0.0/16 overlaps east pods 10.200.128.0/17"
	"10.200.129.10, 10.200.129.20 are declared in both clusters")
