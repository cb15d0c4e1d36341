# East cannot resolve west's names ...
expect_dns east-b-0 dc-west-rack1-sts-0.dc-west-service.k8ssandra.svc.west.cluster.local NXDOMAIN
expect_dns east-c-0 west-a-0.reachmap.reachmap.svc.west.cluster.local NXDOMAIN
# ... but its own, and west resolves east's; addresses work.
expect_dns east-b-0 dc-east-rack2-sts-0.dc-east-service.k8ssandra.svc.east.cluster.local NOERROR 10.250.2.20
expect_dns west-a-0 dc-east-rack1-sts-0.dc-east-service.k8ssandra.svc.east.cluster.local NOERROR 10.250.1.20
expect_tcp east-b-0 dc-west-rack1-sts-0 9042 open
