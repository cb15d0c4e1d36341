# 10.200.129.20 is both dc-west-rack2-sts-0 and dc-east-rack1-sts-0: from
# west it reaches west's own pod, from east east's.
expect_identity west-a-0 10.200.129.20 dc-west-rack2-sts-0 10.200.1.10
expect_identity east-c-0 10.200.129.20 dc-east-rack1-sts-0 10.200.130.10
# The rest of east's range answers from east.
expect_identity west-a-0 10.200.130.20 dc-east-rack2-sts-0 10.200.1.10
expect_tcp west-a-0 dc-west-rack1-sts-0 9042 open
PLAN_EXIT=1
PLAN_FINDS=("[cidr-overlap] west pods 10.200.0.0/16 overlaps east pods 10.200.128.0/17"
	"10.200.129.10, 10.200.129.20 are declared in both clusters")
