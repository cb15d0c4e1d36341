# description: east's gateway lost its route back to west's pods: west's packets arrive, no answer returns
include clean
fault no_return_route east west
