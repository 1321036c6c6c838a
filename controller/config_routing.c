// SPDX-License-Identifier: GPL-2.0-only
/*
 * The configuration of numbering, translation, routing rules and identity:
 * per-trunk keys (country_code, number_format, translate, trust, privacy,
 * allowed_destinations, default_destination) and the routing: section.
 * configs/example.yaml documents every key; docs/teams.md shows them at
 * work.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_yaml.h"

void rr_cfg_trunk_init(struct rr_trunk *t)
{
	rr_numplan_default(&t->plan);
	t->allowed = RR_ALLOW_ALL;
	t->privacy = RR_PRIVACY_PASS;
}

void rr_cfg_trunk_free(struct rr_trunk *t)
{
	for (int d = 0; d < RR_XL_DIRS; d++)
		rr_xl_free(&t->xl[d]);
	rr_dest_free(&t->default_dest);
}

static int get_digits(struct ctx *c, yaml_node_t *v, const char *what, char *out, size_t len)
{
	if (get_str(c, v, what, out, len))
		return -EINVAL;
	if (out[strspn(out, "0123456789")]) {
		fail(c, v, "%s: '%s' is not digits", what, out);
		return -EINVAL;
	}
	return 0;
}

/* fields: [ruri, to, from, pai] or one of them */
static int parse_fields(struct ctx *c, yaml_node_t *v, unsigned int *out)
{
	return get_flags(c, v, "fields", "fields", rr_xl_field_parse, "ruri, to, from or pai", out);
}

/* translate: { inbound: [ {match, replace, fields}... ], outbound: [...] } */
static int parse_translate(struct ctx *c, struct rr_trunk *t, yaml_node_t *m)
{
	yaml_node_t *k, *v, *k2, *v2;
	const char *key, *key2;
	yaml_node_t *rn;
	int d;

	if (!expect(c, m, YAML_MAPPING_NODE, "translate"))
		return -EINVAL;
	FOR_EACH_PAIR(c, m, k, v, key) {
		if (!strcmp(key, "inbound"))
			d = RR_XL_INBOUND;
		else if (!strcmp(key, "outbound"))
			d = RR_XL_OUTBOUND;
		else {
			unknown_key(c, k, "translate (inbound or outbound)");
			return -EINVAL;
		}
		if (!expect(c, v, YAML_SEQUENCE_NODE, "translate rules"))
			return -EINVAL;
		FOR_EACH_ITEM(c, v, rn) {
			yaml_node_t *match = NULL;
			const char *re = NULL, *rep = NULL;
			unsigned int fields = RR_XL_ALL;
			char err[200];

			if (!expect(c, rn, YAML_MAPPING_NODE, "translate rule"))
				return -EINVAL;
			FOR_EACH_PAIR(c, rn, k2, v2, key2) {
				if (!strcmp(key2, "match")) {
					match = v2;
					if (!(re = scalar(c, v2, "match")))
						return -EINVAL;
				} else if (!strcmp(key2, "replace")) {
					if (!(rep = scalar(c, v2, "replace")))
						return -EINVAL;
				} else if (!strcmp(key2, "fields")) {
					if (parse_fields(c, v2, &fields))
						return -EINVAL;
				} else {
					unknown_key(c, k2, "translate rule");
					return -EINVAL;
				}
			}
			if (!re || !rep) {
				fail(c, rn, "translate rule: 'match' and 'replace' are required");
				return -EINVAL;
			}
			if (rr_xl_add(&t->xl[d], re, rep, fields, (int)rn->start_mark.line + 1,
				      err, sizeof(err))) {
				fail(c, match, "translate: bad regex '%s': %s", re, err);
				return -EINVAL;
			}
		}
	}
	return 0;
}

int rr_cfg_trunk_key(struct ctx *c, struct rr_trunk *t, const char *key, yaml_node_t *v)
{
	unsigned long u;
	const char *s;
	int kw;

	if (!strcmp(key, "country_code")) {
		if (get_uint(c, v, "country_code", 1, 999, &u))
			return -EINVAL;
		t->plan.country_code = (unsigned int)u;
	} else if (!strcmp(key, "national_prefix")) {
		return get_digits(c, v, "national_prefix", t->plan.national_prefix,
				  sizeof(t->plan.national_prefix));
	} else if (!strcmp(key, "international_prefix")) {
		return get_digits(c, v, "international_prefix", t->plan.international_prefix,
				  sizeof(t->plan.international_prefix));
	} else if (!strcmp(key, "short_number_length")) {
		if (get_uint(c, v, "short_number_length", 0, 15, &u))
			return -EINVAL;
		t->plan.max_short_len = (unsigned int)u;
	} else if (!strcmp(key, "short_numbers_plus")) {
		return get_bool(c, v, "short_numbers_plus", &t->plan.short_plus);
	} else if (!strcmp(key, "number_format")) {
		static const struct rr_yaml_keyword formats[] = {
			{ "e164", RR_NUM_E164 }, { "national", RR_NUM_NATIONAL },
			{ "as_is", RR_NUM_AS_IS }, { NULL, 0 },
		};

		if (get_keyword(c, v, "number_format", formats, &kw))
			return -EINVAL;
		t->plan.format = kw;
	} else if (!strcmp(key, "translate")) {
		return parse_translate(c, t, v);
	} else if (!strcmp(key, "trust")) {
		return get_bool(c, v, "trust", &t->trust);
	} else if (!strcmp(key, "privacy")) {
		static const struct rr_yaml_keyword privacies[] = {
			{ "pass", RR_PRIVACY_PASS }, { "id", RR_PRIVACY_ID },
			{ "none", RR_PRIVACY_NONE }, { NULL, 0 },
		};

		if (get_keyword(c, v, "privacy", privacies, &kw))
			return -EINVAL;
		t->privacy = kw;
	} else if (!strcmp(key, "allowed_destinations")) {
		if (!(s = scalar(c, v, "allowed_destinations")))
			return -EINVAL;
		if (rr_allowed_parse(s, &t->allowed)) {
			fail(c, v, "allowed_destinations: '%s' is not none, inbound_rules, "
			     "inbound_rules_and_internal, inbound_rules_and_outbound or all", s);
			return -EINVAL;
		}
	} else if (!strcmp(key, "default_destination")) {
		return 0;	/* rr_cfg_routing, once every trunk is known */
	} else {
		return -ENOENT;
	}
	return 0;
}

static int trunk_index(struct ctx *c, const struct rr_config *cfg, yaml_node_t *v,
		       const char *what, unsigned int *out)
{
	const char *s = scalar(c, v, what);
	int idx;

	if (!s)
		return -EINVAL;
	idx = rr_config_trunk_find(cfg, s);
	if (idx < 0) {
		fail(c, v, "%s: unknown trunk '%s'", what, s);
		return -EINVAL;
	}
	*out = (unsigned int)idx;
	return 0;
}

/* One target: "TRUNK" or { trunk: TRUNK, number: N }. */
static int parse_target(struct ctx *c, const struct rr_config *cfg, yaml_node_t *v,
			struct rr_dest *d)
{
	struct rr_dest_target *t;
	yaml_node_t *k2, *v2, *trunk = NULL;
	const char *key2;

	if (d->n >= 100) {
		fail(c, v, "destination: more than 100 targets");
		return -EINVAL;
	}
	t = realloc(d->t, (d->n + 1) * sizeof(*t));
	if (!t)
		return -ENOMEM;
	d->t = t;
	t = &d->t[d->n];
	memset(t, 0, sizeof(*t));
	if (v->type == YAML_SCALAR_NODE) {
		trunk = v;
	} else {
		if (!expect(c, v, YAML_MAPPING_NODE, "destination target"))
			return -EINVAL;
		FOR_EACH_PAIR(c, v, k2, v2, key2) {
			if (!strcmp(key2, "trunk")) {
				trunk = v2;
			} else if (!strcmp(key2, "number")) {
				if (get_str(c, v2, "number", t->number, sizeof(t->number)))
					return -EINVAL;
				if (!rr_number_is_digits(t->number)) {
					fail(c, v2, "number: '%s' is not a number", t->number);
					return -EINVAL;
				}
			} else {
				unknown_key(c, k2, "destination target");
				return -EINVAL;
			}
		}
	}
	if (!trunk) {
		fail(c, v, "destination target: 'trunk' is required");
		return -EINVAL;
	}
	if (trunk_index(c, cfg, trunk, "destination", &t->trunk))
		return -EINVAL;
	if (d->n && cfg->trunks[d->t[0].trunk].side != cfg->trunks[t->trunk].side) {
		fail(c, trunk, "destination: trunks '%s' and '%s' are on different sides",
		     cfg->trunks[d->t[0].trunk].name, cfg->trunks[t->trunk].name);
		return -EINVAL;
	}
	d->n++;
	return 0;
}

/* A destination: a target or a list of targets rung in parallel. */
static int parse_dest(struct ctx *c, const struct rr_config *cfg, yaml_node_t *v,
		      struct rr_dest *d)
{
	yaml_node_t *item;

	d->line = (int)v->start_mark.line + 1;
	if (v->type != YAML_SEQUENCE_NODE)
		return parse_target(c, cfg, v, d);
	FOR_EACH_ITEM(c, v, item)
		if (parse_target(c, cfg, item, d))
			return -EINVAL;
	if (!d->n) {
		fail(c, v, "destination: empty list");
		return -EINVAL;
	}
	return 0;
}

static int parse_pattern(struct ctx *c, yaml_node_t *v, struct rr_pattern *p, bool access)
{
	const char *s = scalar(c, v, "pattern");
	char err[160];

	if (!s)
		return -EINVAL;
	if (rr_pattern_parse(s, p, err, sizeof(err))) {
		fail(c, v, "%s", err);
		return -EINVAL;
	}
	if (!access && p->access[0]) {
		fail(c, v, "pattern '%s': an access code only in outbound rules", s);
		return -EINVAL;
	}
	return 0;
}

/* inbound_rules / internal: [ { name, match, destination } ] */
static int parse_in_rules(struct ctx *c, const struct rr_config *cfg, yaml_node_t *s,
			  const char *what, struct rr_in_rule **out, unsigned int *n)
{
	yaml_node_t *m, *k, *v;
	const char *key;

	if (!expect(c, s, YAML_SEQUENCE_NODE, what))
		return -EINVAL;
	FOR_EACH_ITEM(c, s, m) {
		struct rr_in_rule *r = APPEND(*out, *n);
		bool has_match = false;

		if (!r)
			return -ENOMEM;
		r->line = (int)m->start_mark.line + 1;
		if (!expect(c, m, YAML_MAPPING_NODE, what))
			return -EINVAL;
		FOR_EACH_PAIR(c, m, k, v, key) {
			if (!strcmp(key, "name")) {
				if (get_str(c, v, "name", r->name, sizeof(r->name)))
					return -EINVAL;
			} else if (!strcmp(key, "match")) {
				if (parse_pattern(c, v, &r->pat, false))
					return -EINVAL;
				has_match = true;
			} else if (!strcmp(key, "destination")) {
				if (parse_dest(c, cfg, v, &r->dest))
					return -EINVAL;
			} else {
				unknown_key(c, k, what);
				return -EINVAL;
			}
		}
		if (!has_match || !r->dest.n) {
			fail(c, m, "%s: 'match' and 'destination' are required", what);
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_trunk_list(struct ctx *c, const struct rr_config *cfg, yaml_node_t *v,
			    const char *what, unsigned int **out, unsigned int *n)
{
	yaml_node_t *item;
	unsigned int *a;

	if (v->type == YAML_SCALAR_NODE) {
		if (!(*out = calloc(1, sizeof(**out))))
			return -ENOMEM;
		*n = 1;
		return trunk_index(c, cfg, v, what, *out);
	}
	if (!expect(c, v, YAML_SEQUENCE_NODE, what))
		return -EINVAL;
	FOR_EACH_ITEM(c, v, item) {
		a = realloc(*out, (*n + 1) * sizeof(*a));
		if (!a)
			return -ENOMEM;
		*out = a;
		if (trunk_index(c, cfg, item, what, &a[*n]))
			return -EINVAL;
		(*n)++;
	}
	if (!*n) {
		fail(c, v, "%s: empty list", what);
		return -EINVAL;
	}
	return 0;
}

/* outbound_rules: [ { name, pattern, strip, prefix, remote_numbering,
 * from, trunks, seize } ] */
static int parse_out_rules(struct ctx *c, const struct rr_config *cfg, yaml_node_t *s,
			   struct rr_rules *rules)
{
	yaml_node_t *m, *k, *v;
	const char *key;
	unsigned long u;

	if (!expect(c, s, YAML_SEQUENCE_NODE, "outbound_rules"))
		return -EINVAL;
	FOR_EACH_ITEM(c, s, m) {
		yaml_node_t *trunks = NULL;
		struct rr_out_rule *r = APPEND(rules->out, rules->n_out);
		bool has_pat = false;

		if (!r)
			return -ENOMEM;
		r->line = (int)m->start_mark.line + 1;
		if (!expect(c, m, YAML_MAPPING_NODE, "outbound rule"))
			return -EINVAL;
		FOR_EACH_PAIR(c, m, k, v, key) {
			if (!strcmp(key, "name")) {
				if (get_str(c, v, "name", r->name, sizeof(r->name)))
					return -EINVAL;
			} else if (!strcmp(key, "pattern")) {
				if (parse_pattern(c, v, &r->pat, true))
					return -EINVAL;
				has_pat = true;
			} else if (!strcmp(key, "strip")) {
				if (get_uint(c, v, "strip", 0, 32, &u))
					return -EINVAL;
				r->strip = (unsigned int)u;
			} else if (!strcmp(key, "prefix")) {
				if (get_str(c, v, "prefix", r->prefix, sizeof(r->prefix)))
					return -EINVAL;
				if (r->prefix[strspn(r->prefix, "+0123456789*#")]) {
					fail(c, v, "prefix: '%s' is not digits", r->prefix);
					return -EINVAL;
				}
			} else if (!strcmp(key, "remote_numbering")) {
				if (get_bool(c, v, "remote_numbering", &r->remote))
					return -EINVAL;
			} else if (!strcmp(key, "from")) {
				if (parse_trunk_list(c, cfg, v, "from", &r->from, &r->n_from))
					return -EINVAL;
			} else if (!strcmp(key, "trunks")) {
				trunks = v;
				if (parse_trunk_list(c, cfg, v, "trunks", &r->trunk, &r->n_trunks))
					return -EINVAL;
			} else if (!strcmp(key, "seize")) {
				static const struct rr_yaml_keyword seizes[] = {
					{ "order", RR_SEIZE_ORDER },
					{ "round_robin", RR_SEIZE_ROUND_ROBIN }, { NULL, 0 },
				};
				int kw;

				if (get_keyword(c, v, "seize", seizes, &kw))
					return -EINVAL;
				r->seize = kw;
			} else {
				unknown_key(c, k, "outbound rule");
				return -EINVAL;
			}
		}
		if (!has_pat || !trunks) {
			fail(c, m, "outbound rule: 'pattern' and 'trunks' are required");
			return -EINVAL;
		}
		for (unsigned int i = 1; i < r->n_trunks; i++) {
			if (cfg->trunks[r->trunk[i]].side != cfg->trunks[r->trunk[0]].side) {
				fail(c, trunks, "outbound rule: trunks '%s' and '%s' are on different sides",
				     cfg->trunks[r->trunk[0]].name, cfg->trunks[r->trunk[i]].name);
				return -EINVAL;
			}
		}
	}
	return 0;
}

int rr_cfg_routing(struct ctx *c, struct rr_config *cfg, yaml_node_t *trunks,
		   yaml_node_t *routing)
{
	yaml_node_item_t *it;
	yaml_node_t *k, *v;
	const char *key;
	unsigned int i = 0;

	/* the trunks' default_destination, now that all trunks are known */
	for (it = trunks->data.sequence.items.start; it < trunks->data.sequence.items.top;
	     it++, i++) {
		yaml_node_t *m = node(c, *it);

		FOR_EACH_PAIR(c, m, k, v, key)
			if (!strcmp(key, "default_destination") &&
			    parse_dest(c, cfg, v, &cfg->trunks[i].default_dest))
				return -EINVAL;
	}
	if (!routing)
		return 0;
	if (!expect(c, routing, YAML_MAPPING_NODE, "routing"))
		return -EINVAL;
	cfg->rules = calloc(1, sizeof(*cfg->rules));
	if (!cfg->rules)
		return -ENOMEM;
	FOR_EACH_PAIR(c, routing, k, v, key) {
		int r;

		if (!strcmp(key, "inbound_rules"))
			r = parse_in_rules(c, cfg, v, "inbound rule", &cfg->rules->in,
					   &cfg->rules->n_in);
		else if (!strcmp(key, "internal"))
			r = parse_in_rules(c, cfg, v, "internal number", &cfg->rules->internal,
					   &cfg->rules->n_internal);
		else if (!strcmp(key, "outbound_rules"))
			r = parse_out_rules(c, cfg, v, cfg->rules);
		else if (!strcmp(key, "default_destination"))
			r = parse_dest(c, cfg, v, &cfg->rules->def);
		else {
			unknown_key(c, k, "routing");
			r = -EINVAL;
		}
		if (r)
			return r;
	}
	return 0;
}
