# East's zone us-east1-c is cut off from the other clusters, both ways
# (silence); us-east1-b works, and inside east both zones talk.
cut() {
	W=
	if [ "${CL[$1]}" != east ] && [ "${ZONE[$2]}" = us-east1-c ]; then W=timeout; fi
	if [ "${ZONE[$1]}" = us-east1-c ] && [ "${CL[$2]}" != east ]; then W=timeout; fi
	true
}
sweep
