# Nothing is broken: every cell of the sweep is healthy.
sweep
# Routers answer TTL-expired: tracepath lists the pod's gateway (its zone
# bridge), then the VPC router between the clusters, each way, and arrives.
expect_tracepath west-a-0 dc-east-rack1-sts-0 '^ *1: +10\.200\.1\.1 ' "hop 1 is west's gateway 10.200.1.1"
expect_tracepath west-a-0 dc-east-rack1-sts-0 '^ *2: +10\.100\.0\.1 ' "hop 2 is the VPC router 10.100.0.1"
expect_tracepath west-a-0 dc-east-rack1-sts-0 'reached' "reaches the target"
expect_tracepath east-c-0 dc-west-rack2-sts-0 '^ *2: +10\.150\.0\.1 ' "hop 2 is the VPC router 10.150.0.1"
