#include "reachmap/error.h"

const char *rm_strerror(int status)
{
	switch (status) {
	case RM_OK:
		return "success";
	case RM_ENOMEM:
		return "out of memory";
	case RM_EINVAL:
		return "invalid value";
	case RM_EPARSE:
		return "cannot parse";
	case RM_EIO:
		return "input/output error";
	case RM_ERANGE:
		return "value out of range";
	case RM_ENOTFOUND:
		return "not found";
	case RM_EEXIST:
		return "already exists";
	case RM_ETRUNC:
		return "data ends early";
	case RM_ESYS:
		return "system call failed";
	case RM_ECANCEL:
		return "cancelled";
	default:
		return "unknown error";
	}
}
