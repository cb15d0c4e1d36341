# Two causes at the target, the same from every cluster: dc-west-rack1-sts-0's
# name answers its old address 10.200.1.99 (asked in west, central and east
# alike), and dc-central-rack2-sts-0's 9042 answers a CQL OPTIONS with HTTP.
# The pods themselves answer at their real addresses; everything else works.
want_dns() { W=; [ "$2" = dc-west-rack1-sts-0 ] && W="NOERROR 10.200.1.99"; true; }
want_cql() { W=; [ "$2" = dc-central-rack2-sts-0 ] && W="open not-cql b'HTTP/1.1 400"; true; }
sweep
# Nothing answers at the old address, from any cluster.
expect_tcp_addr central-a-0 10.200.1.99 9042 timeout
expect_tcp_addr east-c-0 10.200.1.99 7000 timeout
