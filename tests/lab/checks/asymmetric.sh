# East's gateway lost its route back to west's pods. West -> east: the SYN
# arrives, the answer is lost, silence. East -> west: east's own gateway has
# no route and says so (ICMP 3/0 from the zone bridge's address).
expect_tcp east-b-0 dc-west-rack1-sts-0 7000 "icmp type=3 code=0 from=10.250.1.1"
expect_tcp east-c-0 dc-west-rack2-sts-0 9042 "icmp type=3 code=0 from=10.250.2.1"
watch_arrivals dc-east-rack1-sts-0 7000 10.200.0.0/16
expect_tcp west-a-0 dc-east-rack1-sts-0 7000 timeout
expect_arrived dc-east-rack1-sts-0 7000 yes
cut() {
	W=
	[ "${CL[$1]}" = west ] && [ "${CL[$2]}" = east ] && W=timeout
	[ "${CL[$1]}" = east ] && [ "${CL[$2]}" = west ] && no_route_from "${ADDR[$1]%.*}.1"
	true
}
sweep
