# The VPC rejects what east's us-east1-c sends towards west's pods with ICMP
# net unreachable (3/0) from itself, 10.150.0.1 on east's side; west's
# requests to that zone arrive and their answers meet the same rule. East's
# us-east1-b, and everything inside each cluster, works.
cut() {
	W=
	[ "${ZONE[$1]}" = us-east1-c ] && [ "${CL[$2]}" = west ] && W="icmp type=3 code=0 from=10.150.0.1"
	[ "${CL[$1]}" = west ] && [ "${ZONE[$2]}" = us-east1-c ] && W=timeout
	true
}
sweep
# The ICMP names the VPC router, not west's gateway.
expect_tcp east-c-0 dc-west-rack1-sts-0 7000 "icmp type=3 code=0 from=10.150.0.1"
# West -> us-east1-c: the request arrives, the answer is lost on the way back.
watch_arrivals dc-east-rack2-sts-0 7000 10.200.0.0/16
expect_tcp west-a-0 dc-east-rack2-sts-0 7000 timeout
expect_arrived dc-east-rack2-sts-0 7000 yes
