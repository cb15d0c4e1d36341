/* Status codes shared by every stage. Library functions return 0 (RM_OK) or
 * one of the negative codes below; only main() turns them into exit codes. */
#ifndef REACHMAP_ERROR_H
#define REACHMAP_ERROR_H

enum rm_status {
	RM_OK = 0,
	RM_ENOMEM = -1,	   /* an allocation failed */
	RM_EINVAL = -2,	   /* an argument or input value is not valid */
	RM_EPARSE = -3,	   /* input text or bytes could not be parsed */
	RM_EIO = -4,	   /* reading or writing a file failed */
	RM_ERANGE = -5,	   /* a value is outside its allowed range */
	RM_ENOTFOUND = -6, /* the thing looked for does not exist */
	RM_EEXIST = -7,	   /* a name or key is already taken */
	RM_ETRUNC = -8,	   /* the data ends before its declared length */
	RM_ESYS = -9,	   /* a system call failed; errno tells why */
	RM_ECANCEL = -10,  /* stopped on the caller's request before the end */
};

/* A short English description of a status; never NULL, never to be freed. */
const char *rm_strerror(int status);

#endif
