# description: west's gateway masquerades pod traffic towards east (source NAT)
include clean
fault snat west east
