# West's gateway masquerades pod traffic towards east: east's responders see
# west's node address 10.100.0.10, not the pod's. East -> west and traffic
# inside a cluster keep the pod's address.
want_identity() { W=; [ "${CL[$1]}" = west ] && [ "${CL[$2]}" = east ] && W="open name=$2 peer=10.100.0.10"; }
sweep
