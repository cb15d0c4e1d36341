# West -> east tcp/7199 is rejected by the VPC router with ICMP 3/13
# (admin prohibited), read from the socket's error queue with the sender.
want_tcp() { W=; [ "${CL[$1]}" = west ] && [ "${CL[$2]}" = east ] && [ "$3" = 7199 ] && W="icmp type=3 code=13 from=10.100.0.1"; }
sweep
