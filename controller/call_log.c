// SPDX-License-Identifier: GPL-2.0-only
/* Call-event log lines (call_log.h, docs/rtprelayd.md "Call log"). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "call_log.h"
#include "log.h"

struct out {
	char *buf;
	size_t len, pos;
};

static void put_c(struct out *o, char ch)
{
	if (o->pos + 1 < o->len)
		o->buf[o->pos] = ch;
	o->pos++;
}

__attribute__((format(printf, 2, 3)))
static void put_f(struct out *o, const char *fmt, ...)
{
	size_t room = o->pos < o->len ? o->len - o->pos : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->pos : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos += (size_t)n;
}

/* " key=value", the value quoted when it must be. */
static void put_kv(struct out *o, const char *key, const char *v)
{
	bool quote = !*v || strpbrk(v, " \"=\\") != NULL;

	put_f(o, " %s=", key);
	if (quote)
		put_c(o, '"');
	for (const char *p = v; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if (quote && (ch == '"' || ch == '\\'))
			put_c(o, '\\');
		put_c(o, ch < 0x20 || ch == 0x7f ? '?' : (char)ch);
	}
	if (quote)
		put_c(o, '"');
}

/* put_kv of a value that may be unset (NULL: the key is left out). */
static void put_opt(struct out *o, const char *key, const char *v)
{
	if (v)
		put_kv(o, key, v);
}

static void put_num(struct out *o, const char *key, const char *num, bool mask)
{
	char m[128];

	put_kv(o, key, mask ? rr_mask_number(num, m, sizeof(m)) : num ? num : "");
}

void rr_call_ev_init(struct rr_call_ev *ev, unsigned long call, const char *event)
{
	memset(ev, 0, sizeof(*ev));
	ev->call = call;
	ev->event = event;
	ev->leg = -1;
	ev->duration = -1;
	ev->talk = -1;
}

size_t rr_call_ev_format(const struct rr_call_ev *ev, bool mask, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };

	if (ev->call)
		put_f(&o, "call=%lu", ev->call);
	else
		put_f(&o, "call=-");
	put_kv(&o, "event", ev->event ? ev->event : "?");
	put_kv(&o, "trunk_in", ev->trunk_in ? ev->trunk_in : "");
	put_kv(&o, "trunk_out", ev->trunk_out ? ev->trunk_out : "");
	put_num(&o, "from", ev->from, mask);
	put_num(&o, "to", ev->to, mask);
	put_opt(&o, "src", ev->src);
	put_opt(&o, "peer", ev->peer);
	if (ev->leg >= 0)
		put_f(&o, " leg=%d", ev->leg);
	if (ev->status)
		put_f(&o, " status=%d", ev->status);
	put_opt(&o, "hold", ev->hold);
	if (ev->target)
		put_num(&o, "target", ev->target, mask);
	put_opt(&o, "outcome", ev->outcome);
	put_opt(&o, "state", ev->state);
	if (ev->duration >= 0)
		put_f(&o, " duration=%.1f", ev->duration);
	if (ev->talk >= 0)
		put_f(&o, " talk=%.1f", ev->talk);
	put_opt(&o, "reason", ev->reason);
	if (len)
		buf[o.pos < len ? o.pos : len - 1] = '\0';
	return o.pos;
}

void rr_call_ev_log(int level, const struct rr_call_ev *ev)
{
	char line[1024];

	rr_call_ev_format(ev, rr_log_masking(), line, sizeof(line));
	rr_log(level, "%s", line);
}

bool rr_sdp_is_hold(const char *sdp, size_t len)
{
	static const char *const marks[] = { "a=sendonly", "a=inactive", "c=IN IP4 0.0.0.0" };

	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		size_t n = strlen(marks[i]);

		for (const char *p = sdp; p + n <= sdp + len; p++) {
			p = memmem(p, (size_t)(sdp + len - p), marks[i], n);
			if (!p)
				break;
			/* at a line start, and the whole line */
			if ((p == sdp || p[-1] == '\n') &&
			    (p + n == sdp + len || p[n] == '\r' || p[n] == '\n'))
				return true;
		}
	}
	return false;
}
