/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The YAML reading helpers of config.c, shared with the files that parse a
 * section of the configuration (config_routing.c). Internal to the loader.
 */
#ifndef RR_CONFIG_YAML_H
#define RR_CONFIG_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "config.h"

struct ctx {
	yaml_document_t doc;
	const char *path;
	char *err;
	size_t errlen;
	bool failed;
};

#define fail(...) rr_yaml_fail(__VA_ARGS__)
#define node(...) rr_yaml_node(__VA_ARGS__)
#define scalar(...) rr_yaml_scalar(__VA_ARGS__)
#define expect(...) rr_yaml_expect(__VA_ARGS__)
#define get_uint(...) rr_yaml_get_uint(__VA_ARGS__)
#define get_bool(...) rr_yaml_get_bool(__VA_ARGS__)
#define get_str(...) rr_yaml_get_str(__VA_ARGS__)
#define unknown_key(...) rr_yaml_unknown_key(__VA_ARGS__)
#define get_keyword(...) rr_yaml_get_keyword(__VA_ARGS__)
#define get_flags(...) rr_yaml_get_flags(__VA_ARGS__)

/* Records the first error as "FILE:LINE: message" (line of n). */
void rr_yaml_fail(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
yaml_node_t *rr_yaml_node(struct ctx *c, int id);
const char *rr_yaml_scalar(struct ctx *c, yaml_node_t *n, const char *what);
bool rr_yaml_expect(struct ctx *c, yaml_node_t *n, yaml_node_type_t t, const char *what);
int rr_yaml_get_uint(struct ctx *c, yaml_node_t *n, const char *what, unsigned long min,
		     unsigned long max, unsigned long *out);
int rr_yaml_get_bool(struct ctx *c, yaml_node_t *n, const char *what, bool *out);
int rr_yaml_get_str(struct ctx *c, yaml_node_t *n, const char *what, char *out, size_t len);
void rr_yaml_unknown_key(struct ctx *c, yaml_node_t *k, const char *section);

/* One word of a key's closed set and what it stands for. */
struct rr_yaml_keyword {
	const char *name;
	int value;
};

/* n is one of the names of kw (ended by a NULL name): its value in *out;
 * else "WHAT: 'x' is not a, b or c". */
int rr_yaml_get_keyword(struct ctx *c, yaml_node_t *n, const char *what,
			const struct rr_yaml_keyword *kw, int *out);
/* A set of flags: one name (called one in errors) or a list of them, each
 * turned into its bit by parse (0: not a name; expected lists the names);
 * *out is their OR; an empty list is an error. */
int rr_yaml_get_flags(struct ctx *c, yaml_node_t *n, const char *what, const char *one,
		      unsigned int (*parse)(const char *s), const char *expected,
		      unsigned int *out);

#define FOR_EACH_PAIR(c, map, k, v, kname)				\
	for (yaml_node_pair_t *_p = (map)->data.mapping.pairs.start;	\
	     _p < (map)->data.mapping.pairs.top &&			\
	     ((k) = node(c, _p->key)) && ((v) = node(c, _p->value)) &&	\
	     ((kname) = (k)->type == YAML_SCALAR_NODE ?			\
		(const char *)(k)->data.scalar.value : "");		\
	     _p++)

/* Appends a zeroed element of size to the array *arr of *n elements: the
 * element, or NULL (out of memory; *arr and *n unchanged). */
void *rr_cfg_append(void **arr, unsigned int *n, size_t size);
#define APPEND(arr, n)							\
	({								\
		void *_a = (arr);					\
		__typeof__(arr) _e = rr_cfg_append(&_a, &(n), sizeof(*(arr)));	\
		(arr) = _a;						\
		_e;							\
	})

/* Each node n of the sequence seq (a list checked with expect() first). */
#define FOR_EACH_ITEM(c, seq, n)						\
	for (yaml_node_item_t *_i = (seq)->data.sequence.items.start;		\
	     _i < (seq)->data.sequence.items.top && ((n) = node(c, *_i)); _i++)

/* config_routing.c: a trunk key of its (numbering, translate, trust,
 * privacy, allowed_destinations; default_destination is read by
 * rr_cfg_routing once all trunks are known): 0, -ENOENT when key is not
 * one of its, or an error. */
int rr_cfg_trunk_key(struct ctx *c, struct rr_trunk *t, const char *key, yaml_node_t *v);
/* After the trunks: the trunks' default_destination and the routing:
 * section (may be NULL). */
int rr_cfg_routing(struct ctx *c, struct rr_config *cfg, yaml_node_t *trunks,
		   yaml_node_t *routing);
void rr_cfg_trunk_init(struct rr_trunk *t);
void rr_cfg_trunk_free(struct rr_trunk *t);

#endif
