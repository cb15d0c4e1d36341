# description: three clusters; dc-west-rack1-sts-0's record is stale, dc-central-rack2-sts-0's 9042 is not CQL
# Causes at the target, seen from every cluster alike: the name of
# dc-west-rack1-sts-0 answers its old address 10.200.1.99 wherever it is
# asked, and dc-central-rack2-sts-0's 9042 answers HTTP to every client.
include three-dc
DNS_ADDR[dc-west-rack1-sts-0]=10.200.1.99
NOT_CQL[dc-central-rack2-sts-0]=1
