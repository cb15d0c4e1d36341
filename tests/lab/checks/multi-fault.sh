# firewall-drop: east -> west tcp/7000
expect_tcp east-b-0 dc-west-rack1-sts-0 7000 timeout
expect_tcp east-b-0 dc-west-rack1-sts-0 9042 open
# dns-stub-missing: east cannot resolve west
expect_dns east-b-0 dc-west-rack1-sts-0.dc-west-service.k8ssandra.svc.west.cluster.local NXDOMAIN
expect_dns west-a-0 dc-east-rack1-sts-0.dc-east-service.k8ssandra.svc.east.cluster.local NOERROR 10.250.1.20
# snat: west -> east arrives from west's node address
expect_identity west-a-0 10.250.1.20 dc-east-rack1-sts-0 10.100.0.10
expect_identity east-b-0 10.200.1.20 dc-west-rack1-sts-0 10.250.1.10
