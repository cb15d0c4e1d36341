# description: something other than Cassandra answers on 9042 at dc-east-rack2-sts-0
include clean
NOT_CQL[dc-east-rack2-sts-0]=1
