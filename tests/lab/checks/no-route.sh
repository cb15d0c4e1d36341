# The VPC has no route to east's pods. West -> east: the VPC answers "net
# unreachable" (ICMP 3/0). East -> west: the request arrives, the answer has
# no way back, silence. DNS works both ways (the services are routed).
expect_tcp west-a-0 dc-east-rack1-sts-0 7000 "icmp type=3 code=0 from=10.100.0.1"
expect_tcp west-b-0 dc-east-rack2-sts-0 9042 "icmp type=3 code=0 from=10.100.0.1"
watch_arrivals dc-west-rack1-sts-0 9042 10.250.0.0/16
expect_tcp east-b-0 dc-west-rack1-sts-0 9042 timeout
expect_arrived dc-west-rack1-sts-0 9042 yes
cut() {
	W=
	[ "${CL[$1]}" = west ] && [ "${CL[$2]}" = east ] && no_route_from 10.100.0.1
	[ "${CL[$1]}" = east ] && [ "${CL[$2]}" = west ] && W=timeout
	true
}
sweep
