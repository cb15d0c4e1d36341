# West -> east: the SYN arrives, the answer is lost at east's gateway.
watch_arrivals dc-east-rack1-sts-0 7000
expect_tcp west-a-0 dc-east-rack1-sts-0 7000 timeout
expect_arrived dc-east-rack1-sts-0 7000
expect_ping west-a-0 dc-east-rack1-sts-0 fail
# East -> west: east's own gateway has no route and says so.
expect_tcp east-b-0 dc-west-rack1-sts-0 7000 "icmp type=3 code=0 from=10.250.1.1"
# Everything else works: inside the clusters, and DNS across them.
expect_tcp west-a-0 dc-west-rack2-sts-0 7000 open
expect_tcp east-c-0 dc-east-rack1-sts-0 7000 open
expect_dns west-a-0 dc-east-rack1-sts-0.dc-east-service.k8ssandra.svc.east.cluster.local NOERROR 10.250.1.20
