# Both clusters declare 10.244.0.0/16; 10.244.1.0/24 is a zone in each, so
# 10.244.1.10 is west-b-0 and east-b-0, 10.244.1.20 is dc-west-rack2-sts-0
# and dc-east-rack1-sts-0. The VPC routes 10.244.0.0/16 to west only.
#
# shared ADDRESS: the address is a pod's in both clusters.
shared() { case $1 in 10.244.1.*) return 0 ;; esac; return 1; }
# Between the clusters nothing gets through: a shared address is answered
# inside the source's own cluster (below); east's own 10.244.2.0/24 is
# unreachable from west (the packet loops between west's gateway and the VPC
# until its TTL runs out, and the VPC, 10.100.0.1, says so: ICMP 11/0); what
# east sends to west's 10.244.0.0/24 arrives, and the answer goes to west's
# look-alike of the sender or into the loop.
cut() {
	W=
	[ "${CL[$1]}" = "${CL[$2]}" ] && return 0
	shared "${ADDR[$2]}" && return 0
	if [ "${CL[$1]}" = west ]; then W="icmp type=11 code=0 from=10.100.0.1"; else W=timeout; fi
	true
}
# At a shared address the source's own cluster's pod answers, not the one
# the topology names: the identity responder says who it is.
want_identity() {
	local p
	W=
	[ "${CL[$1]}" != "${CL[$2]}" ] && shared "${ADDR[$2]}" || return 0
	for p in "${PODLIST[@]}"; do
		[ "${CL[$p]}" = "${CL[$1]}" ] && [ "${ADDR[$p]}" = "${ADDR[$2]}" ] && W="open name=$p peer=${ADDR[$1]}"
	done
	true
}
sweep
# Spelled out: 10.244.1.20 is west's own pod from west, east's from east.
expect_identity west-a-0 10.244.1.20 dc-west-rack2-sts-0 10.244.0.10
expect_identity east-c-0 10.244.1.20 dc-east-rack1-sts-0 10.244.2.10
# East's requests to west's own zone arrive; nothing comes back.
watch_arrivals dc-west-rack1-sts-0 9042 10.244.2.0/24
expect_tcp east-c-0 dc-west-rack1-sts-0 9042 timeout
expect_arrived dc-west-rack1-sts-0 9042 yes
PLAN_EXIT=1
PLAN_FINDS=("[cidr-overlap] west pods 10.244.0.0/16 overlaps east pods 10.244.0.0/16")
