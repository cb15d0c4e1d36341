# Nothing is broken between three clusters: every cell of the sweep is healthy.
sweep
expect_tracepath west-a-0 dc-central-rack1-sts-0 '^ *2: +10\.100\.0\.1 ' "hop 2 is the VPC router 10.100.0.1"
expect_tracepath central-f-0 dc-east-rack2-sts-0 '^ *2: +10\.120\.0\.1 ' "hop 2 is the VPC router 10.120.0.1"
expect_tracepath east-b-0 dc-central-rack2-sts-0 'reached' "reaches the target"
