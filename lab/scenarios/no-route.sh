# description: the VPC has no route to east's pods
include clean
fault no_route east
