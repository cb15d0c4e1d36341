# East -> west tcp/7000 is silently dropped by the VPC; every other port,
# ICMP, DNS and the other direction work (the sweep).
want_tcp() { W=; [ "${CL[$1]}" = east ] && [ "${CL[$2]}" = west ] && [ "$3" = 7000 ] && W=timeout; }
sweep
# The SYN left east and never arrived in west: dropped on the way.
watch_arrivals dc-west-rack1-sts-0 7000 10.250.0.0/16
expect_tcp east-b-0 dc-west-rack1-sts-0 7000 timeout
expect_arrived dc-west-rack1-sts-0 7000 no
