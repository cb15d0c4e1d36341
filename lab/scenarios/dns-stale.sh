# description: dc-east-rack1-sts-0's DNS record still gives its old address 10.250.1.99
include clean
DNS_ADDR[dc-east-rack1-sts-0]=10.250.1.99
