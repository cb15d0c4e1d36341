# West's packets to east's pods: the VPC answers "net unreachable".
expect_tcp west-a-0 dc-east-rack1-sts-0 7000 "icmp type=3 code=0 from=10.100.0.1"
expect_tcp west-b-0 dc-east-rack2-sts-0 9042 "icmp type=3 code=0 from=10.100.0.1"
expect_ping west-a-0 dc-east-rack1-sts-0 fail
# East's packets arrive in west, but the answers have no way back.
watch_arrivals dc-west-rack1-sts-0 9042
expect_tcp east-b-0 dc-west-rack1-sts-0 9042 timeout
expect_arrived dc-west-rack1-sts-0 9042
# Inside each cluster, and DNS between them (services are routed), all works.
expect_tcp west-a-0 dc-west-rack2-sts-0 9042 open
expect_tcp east-b-0 dc-east-rack2-sts-0 9042 open
expect_dns west-a-0 dc-east-rack1-sts-0.dc-east-service.k8ssandra.svc.east.cluster.local NOERROR 10.250.1.20
