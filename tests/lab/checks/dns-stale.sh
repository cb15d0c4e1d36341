# The name answers an old address, from both clusters ...
expect_dns west-a-0 dc-east-rack1-sts-0.dc-east-service.k8ssandra.svc.east.cluster.local NOERROR 10.250.1.99
expect_dns east-c-0 dc-east-rack1-sts-0.dc-east-service.k8ssandra.svc.east.cluster.local NOERROR 10.250.1.99
# ... the other names are right, and the pod answers at its real address.
expect_dns west-a-0 dc-east-rack2-sts-0.dc-east-service.k8ssandra.svc.east.cluster.local NOERROR 10.250.2.20
expect_tcp west-a-0 dc-east-rack1-sts-0 9042 open
