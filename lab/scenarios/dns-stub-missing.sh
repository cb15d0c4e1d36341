# description: east's DNS has no stub domain for west.cluster.local
include clean
DNS_NO_STUB[east]=west
