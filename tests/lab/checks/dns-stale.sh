# dc-east-rack1-sts-0's name answers its old address 10.250.1.99 in both
# clusters; the pod itself answers at its real address (the sweep connects by
# address), every other name is right.
want_dns() { W=; [ "$2" = dc-east-rack1-sts-0 ] && W="NOERROR 10.250.1.99"; }
sweep
# Nothing answers at the old address.
expect_tcp_addr west-a-0 10.250.1.99 9042 timeout
