# Three faults at once, none hiding another: tcp/7000 east -> west dropped,
# east cannot resolve west's names, west's traffic to east is SNATed.
want_tcp() { W=; [ "${CL[$1]}" = east ] && [ "${CL[$2]}" = west ] && [ "$3" = 7000 ] && W=timeout; }
want_dns() { W=; [ "${CL[$1]}" = east ] && [ "${CL[$2]}" = west ] && W=NXDOMAIN; }
want_identity() { W=; [ "${CL[$1]}" = west ] && [ "${CL[$2]}" = east ] && W="open name=$2 peer=10.100.0.10"; }
sweep
watch_arrivals dc-west-rack1-sts-0 7000 10.250.0.0/16
expect_tcp east-b-0 dc-west-rack1-sts-0 7000 timeout
expect_arrived dc-west-rack1-sts-0 7000 no
