#include "reachmap/jsonw.h"

#include "reachmap/error.h"

/* Scalars are printed by cJSON, which does the escaping. */
static int write_item(const cJSON *item, FILE *out, int depth)
{
	const cJSON *c;
	int flat = 1, rc;

	if (!cJSON_IsObject(item) && !cJSON_IsArray(item)) {
		char *text = cJSON_PrintUnformatted(item);

		if (text == NULL)
			return RM_ENOMEM;
		rc = fputs(text, out) == EOF ? RM_EIO : RM_OK;
		cJSON_free(text);
		return rc;
	}
	if (item->child == NULL)
		return fputs(cJSON_IsArray(item) ? "[]" : "{}", out) == EOF ? RM_EIO : RM_OK;
	for (c = item->child; c != NULL; c = c->next)
		if (cJSON_IsObject(c) || cJSON_IsArray(c) || cJSON_IsObject(item))
			flat = 0;
	fputc(cJSON_IsArray(item) ? '[' : '{', out);
	for (c = item->child; c != NULL; c = c->next) {
		if (flat) {
			if (c != item->child)
				fputs(", ", out);
		} else {
			fprintf(out, "%s\n%*s", c != item->child ? "," : "", (depth + 1) * 2, "");
		}
		if (cJSON_IsObject(item)) {
			cJSON key = { .type = cJSON_String, .valuestring = c->string };

			rc = write_item(&key, out, depth + 1);
			if (rc != RM_OK)
				return rc;
			fputs(": ", out);
		}
		rc = write_item(c, out, depth + 1);
		if (rc != RM_OK)
			return rc;
	}
	if (!flat)
		fprintf(out, "\n%*s", depth * 2, "");
	fputc(cJSON_IsArray(item) ? ']' : '}', out);
	return ferror(out) ? RM_EIO : RM_OK;
}

int rm_json_write(const cJSON *item, FILE *out)
{
	int rc = write_item(item, out, 0);

	if (rc == RM_OK && fputc('\n', out) == EOF)
		rc = RM_EIO;
	return rc;
}

cJSON *jb_obj(struct rm_jb *b, cJSON *parent, const char *key)
{
	cJSON *o = cJSON_AddObjectToObject(parent, key);

	if (o == NULL)
		b->failed = 1;
	return o;
}

cJSON *jb_arr(struct rm_jb *b, cJSON *parent, const char *key)
{
	cJSON *o = cJSON_AddArrayToObject(parent, key);

	if (o == NULL)
		b->failed = 1;
	return o;
}

void jb_str(struct rm_jb *b, cJSON *parent, const char *key, const char *val)
{
	if (val != NULL && cJSON_AddStringToObject(parent, key, val) == NULL)
		b->failed = 1;
}

void jb_num(struct rm_jb *b, cJSON *parent, const char *key, double val)
{
	if (cJSON_AddNumberToObject(parent, key, val) == NULL)
		b->failed = 1;
}

void jb_push(struct rm_jb *b, cJSON *array, cJSON *item)
{
	if (item == NULL || !cJSON_AddItemToArray(array, item)) {
		cJSON_Delete(item);
		b->failed = 1;
	}
}

void jb_addr(struct rm_jb *b, cJSON *parent, const char *key, const struct rm_addr *a)
{
	char buf[RM_ADDR_STRLEN];

	if (a->family != RM_AF_NONE)
		jb_str(b, parent, key, cidr_addr_format(a, buf, sizeof(buf)));
}

void jb_push_str(struct rm_jb *b, cJSON *array, const char *s)
{
	jb_push(b, array, cJSON_CreateString(s));
}
