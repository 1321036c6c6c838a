// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "call_state.h"

#define MAGIC "rtprelayd-call"

/* The text fields of a leg's dialog, as "legN.NAME": written, read and freed
 * in this order. */
static const struct {
	const char *name;
	size_t off;
} dialog_strs[] = {
#define DSTR(f) { #f, offsetof(struct rr_cs_dialog, f) }
	DSTR(call_id), DSTR(local), DSTR(remote), DSTR(target), DSTR(route),
	DSTR(peer), DSTR(trunk), DSTR(sdp), DSTR(sdp_from),
#undef DSTR
};

#define N_DIALOG_STRS (sizeof(dialog_strs) / sizeof(dialog_strs[0]))

static char **dialog_str(struct rr_cs_dialog *d, unsigned int i)
{
	return (char **)((char *)d + dialog_strs[i].off);
}

static const char *dialog_str_get(const struct rr_cs_dialog *d, unsigned int i)
{
	return *(char *const *)((const char *)d + dialog_strs[i].off);
}

/* ---- encode ------------------------------------------------------------ */

static void put_esc(FILE *f, const char *key, const char *v)
{
	if (!v)
		return;
	fputs(key, f);
	fputc(' ', f);
	for (; *v; v++) {
		if (*v == '\\')
			fputs("\\\\", f);
		else if (*v == '\n')
			fputs("\\n", f);
		else if (*v == '\r')
			fputs("\\r", f);
		else
			fputc(*v, f);
	}
	fputc('\n', f);
}

static void put_peer(FILE *f, unsigned int i, int l, const struct rr_sdp_stream *p)
{
	char a[INET6_ADDRSTRLEN] = "none";

	if (p->family && !inet_ntop(p->family, p->addr, a, sizeof(a)))
		strcpy(a, "none");
	fprintf(f, "s%u.peer%d %s %u%s\n", i, l, a, p->port, p->rtcp_mux ? " mux" : "");
}

char *rr_cs_encode(const struct rr_cs_call *st, size_t *len)
{
	char *buf = NULL, key[32];
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (!f)
		return NULL;
	fprintf(f, MAGIC " %d\nid %lu\n", RR_CS_VERSION, st->id);
	put_esc(f, "from", st->from);
	put_esc(f, "to", st->to);
	put_esc(f, "display", st->display);
	if (st->privacy)
		fputs("privacy 1\n", f);
	fprintf(f, "start %" PRId64 "\nanswer %" PRId64 "\n", st->start, st->answer);
	put_esc(f, "pin_dir", st->pin_dir);
	for (int l = 0; l < 2; l++)
		fprintf(f, "side%d %d\nfamily%d %s\n", l, st->side[l], l,
			st->family[l] == AF_INET6 ? "ipv6" : "ipv4");
	fprintf(f, "streams %u\n", st->n);
	for (unsigned int i = 0; i < st->n && i < RR_MAX_STREAMS; i++) {
		const struct rr_cs_stream *s = &st->s[i];

		for (int l = 0; l < 2; l++) {
			fprintf(f, "s%u.port%d %u\ns%u.installed%d %d\ns%u.flow%d %" PRIu32 "\n",
				i, l, s->port[l], i, l, s->installed[l], i, l, s->flow_id[l]);
			put_peer(f, i, l, &s->peer[l]);
		}
	}
	for (int l = 0; l < 2; l++) {
		const struct rr_cs_dialog *d = &st->leg[l];

		for (unsigned int i = 0; i < N_DIALOG_STRS; i++) {
			snprintf(key, sizeof(key), "leg%d.%s", l, dialog_strs[i].name);
			put_esc(f, key, dialog_str_get(d, i));
		}
		fprintf(f, "leg%d.local_cseq %" PRIu32 "\nleg%d.remote_cseq %" PRIu32
			"\nleg%d.transport %s\n", l, d->local_cseq, l, d->remote_cseq, l,
			d->tcp ? "tcp" : "udp");
	}
	fputs("end\n", f);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	if (len)
		*len = n;
	return buf;
}

/* ---- decode ------------------------------------------------------------ */

void rr_cs_free(struct rr_cs_call *st)
{
	free(st->from);
	free(st->to);
	free(st->display);
	free(st->pin_dir);
	for (int l = 0; l < 2; l++)
		for (unsigned int i = 0; i < N_DIALOG_STRS; i++)
			free(*dialog_str(&st->leg[l], i));
	memset(st, 0, sizeof(*st));
}

struct dec {
	char *err;
	size_t errlen;
	unsigned int line;
};

static int bad(struct dec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct dec *d, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (d->line)
		snprintf(d->err, d->errlen, "line %u: %s", d->line, msg);
	else
		snprintf(d->err, d->errlen, "%s", msg);
	return -EINVAL;
}

static int unesc(struct dec *d, const char *v, size_t len, char **out)
{
	char *s = malloc(len + 1), *o = s;

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		if (v[i] != '\\') {
			*o++ = v[i];
			continue;
		}
		if (++i == len) {
			free(s);
			return bad(d, "value ends in a lone backslash");
		}
		switch (v[i]) {
		case '\\': *o++ = '\\'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		default:
			free(s);
			return bad(d, "unknown escape \\%c", v[i]);
		}
	}
	*o = 0;
	free(*out);	/* a repeated key: the last one counts */
	*out = s;
	return 0;
}

static int num(struct dec *d, const char *key, const char *v, unsigned long long max,
	       unsigned long long *out)
{
	char *end;

	errno = 0;
	if (*v < '0' || *v > '9')
		return bad(d, "%s: '%.20s' is not a number", key, v);
	*out = strtoull(v, &end, 10);
	if (errno || *end || *out > max)
		return bad(d, "%s: '%.20s' is not a number up to %llu", key, v, max);
	return 0;
}

static int peer(struct dec *d, const char *key, const char *v, struct rr_sdp_stream *p)
{
	char a[INET6_ADDRSTRLEN + 1], mux[8] = "";
	unsigned int port;
	int n = sscanf(v, "%46s %u %7s", a, &port, mux);

	if (n < 2 || port > 65535 || (n == 3 && strcmp(mux, "mux")))
		return bad(d, "%s: '%.60s' is not ADDRESS PORT [mux]", key, v);
	memset(p, 0, sizeof(*p));
	if (strcmp(a, "none")) {
		p->family = strchr(a, ':') ? AF_INET6 : AF_INET;
		if (inet_pton(p->family, a, p->addr) != 1)
			return bad(d, "%s: '%s' is not an address", key, a);
	}
	p->port = (uint16_t)port;
	p->rtcp_mux = n == 3;
	return 0;
}

/* Bits of what was seen, for the required keys. */
enum { SEEN_ID = 1, SEEN_SIDE0 = 2, SEEN_SIDE1 = 4, SEEN_STREAMS = 8, SEEN_END = 16 };

static int field(struct dec *d, struct rr_cs_call *st, const char *key, const char *v,
		 size_t vlen, unsigned int *seen, unsigned int *ports)
{
	unsigned long long u;
	unsigned int i;
	int l, r;
	char rest[24];

	if (!strcmp(key, "id")) {
		if ((r = num(d, key, v, 0xffffffffull, &u)) || !u)
			return r ? r : bad(d, "id: 0 is not a call id");
		st->id = (unsigned long)u;
		*seen |= SEEN_ID;
		return 0;
	}
	if (!strcmp(key, "from"))
		return unesc(d, v, vlen, &st->from);
	if (!strcmp(key, "to"))
		return unesc(d, v, vlen, &st->to);
	if (!strcmp(key, "display"))
		return unesc(d, v, vlen, &st->display);
	if (!strcmp(key, "privacy")) {
		st->privacy = !strcmp(v, "1");
		return 0;
	}
	if (!strcmp(key, "pin_dir"))
		return unesc(d, v, vlen, &st->pin_dir);
	if (!strcmp(key, "start") || !strcmp(key, "answer")) {
		if ((r = num(d, key, v, INT64_MAX, &u)))
			return r;
		*(key[0] == 's' ? &st->start : &st->answer) = (int64_t)u;
		return 0;
	}
	if (sscanf(key, "side%d", &l) == 1 && (l == 0 || l == 1) && !key[5]) {
		if ((r = num(d, key, v, 1, &u)))
			return r;
		st->side[l] = (int)u;
		*seen |= l ? SEEN_SIDE1 : SEEN_SIDE0;
		return 0;
	}
	if (sscanf(key, "family%d", &l) == 1 && (l == 0 || l == 1) && !key[7]) {
		if (strcmp(v, "ipv4") && strcmp(v, "ipv6"))
			return bad(d, "%s: '%.20s' is not ipv4 or ipv6", key, v);
		st->family[l] = v[3] == '6' ? AF_INET6 : AF_INET;
		return 0;
	}
	if (!strcmp(key, "streams")) {
		if ((r = num(d, key, v, RR_MAX_STREAMS, &u)))
			return r;
		st->n = (unsigned int)u;
		*seen |= SEEN_STREAMS;
		return 0;
	}
	if (sscanf(key, "s%u.%23s", &i, rest) == 2) {
		if (i >= RR_MAX_STREAMS)
			return bad(d, "%s: stream %u past the last (%d)", key, i, RR_MAX_STREAMS - 1);
		struct rr_cs_stream *s = &st->s[i];

		if (sscanf(rest, "port%d", &l) == 1 && (l == 0 || l == 1) && !rest[5]) {
			if ((r = num(d, key, v, 65535, &u)))
				return r;
			if (u % 2)
				return bad(d, "%s: RTP port %llu is odd", key, u);
			s->port[l] = (uint16_t)u;
			ports[i] |= 1u << l;
			return 0;
		}
		if (sscanf(rest, "installed%d", &l) == 1 && (l == 0 || l == 1) && !rest[10]) {
			if ((r = num(d, key, v, 1, &u)))
				return r;
			s->installed[l] = u;
			return 0;
		}
		if (sscanf(rest, "flow%d", &l) == 1 && (l == 0 || l == 1) && !rest[5]) {
			if ((r = num(d, key, v, 0xffffffffull, &u)))
				return r;
			s->flow_id[l] = (uint32_t)u;
			return 0;
		}
		if (sscanf(rest, "peer%d", &l) == 1 && (l == 0 || l == 1) && !rest[5])
			return peer(d, key, v, &s->peer[l]);
		return 0;	/* a newer writer's key */
	}
	if (sscanf(key, "leg%d.%23s", &l, rest) == 2 && (l == 0 || l == 1)) {
		struct rr_cs_dialog *g = &st->leg[l];

		for (i = 0; i < N_DIALOG_STRS; i++)
			if (!strcmp(rest, dialog_strs[i].name))
				return unesc(d, v, vlen, dialog_str(g, i));
		if (!strcmp(rest, "local_cseq") || !strcmp(rest, "remote_cseq")) {
			if ((r = num(d, key, v, 0x7fffffffull, &u)))
				return r;
			*(rest[0] == 'l' ? &g->local_cseq : &g->remote_cseq) = (uint32_t)u;
			return 0;
		}
		if (!strcmp(rest, "transport")) {
			if (strcmp(v, "udp") && strcmp(v, "tcp"))
				return bad(d, "%s: '%.20s' is not udp or tcp", key, v);
			g->tcp = v[0] == 't';
			return 0;
		}
		return 0;
	}
	return 0;	/* unknown key: ignored */
}

int rr_cs_decode(const char *text, size_t len, struct rr_cs_call *st,
		 char *err, size_t errlen)
{
	struct dec d = { .err = err, .errlen = errlen };
	unsigned int seen = 0, ports[RR_MAX_STREAMS] = { 0 };
	const char *p = text, *end = text + len;
	int r = 0;

	memset(st, 0, sizeof(*st));
	if (!len)
		return bad(&d, "empty file");
	if (memchr(text, 0, len))
		return bad(&d, "a NUL byte in the file");
	while (p < end && !r) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
		char key[48];
		size_t klen, vlen;

		d.line++;
		if (!nl) {
			r = bad(&d, "last line not ended (file truncated?)");
			break;
		}
		if (seen & SEEN_END) {
			r = bad(&d, "text after 'end'");
			break;
		}
		sp = memchr(p, ' ', (size_t)(nl - p));
		klen = (size_t)((sp ? sp : nl) - p);
		vlen = sp ? (size_t)(nl - sp - 1) : 0;
		if (klen == 0 || klen >= sizeof(key)) {
			r = bad(&d, "no key");
			break;
		}
		memcpy(key, p, klen);
		key[klen] = 0;
		if (d.line == 1) {
			if (strcmp(key, MAGIC) || vlen != 1 || sp[1] != '0' + RR_CS_VERSION)
				r = bad(&d, "not a version %d rtprelayd call state file", RR_CS_VERSION);
		} else if (!strcmp(key, "end")) {
			seen |= SEEN_END;
		} else {
			char *v = strndup(sp ? sp + 1 : "", vlen);

			if (!v)
				r = -ENOMEM;
			else
				r = field(&d, st, key, v, vlen, &seen, ports);
			free(v);
		}
		p = nl + 1;
	}
	if (!r) {
		d.line = 0;
		if (!(seen & SEEN_END))
			r = bad(&d, "no 'end' line (file truncated?)");
		else if (!(seen & SEEN_ID))
			r = bad(&d, "no call id");
		else if ((seen & (SEEN_SIDE0 | SEEN_SIDE1)) != (SEEN_SIDE0 | SEEN_SIDE1))
			r = bad(&d, "no side0/side1");
		else if (!(seen & SEEN_STREAMS))
			r = bad(&d, "no streams");
		for (unsigned int i = 0; !r && i < st->n; i++)
			if (ports[i] != 3)
				r = bad(&d, "stream %u: no port0/port1", i);
		for (int l = 0; !r && l < 2; l++) {
			const struct rr_cs_dialog *g = &st->leg[l];

			if (!g->call_id || !g->local || !g->remote || !g->target || !g->trunk)
				r = bad(&d, "leg %d: dialog incomplete (call_id, local, remote, target, trunk)", l);
		}
	}
	if (r)
		rr_cs_free(st);
	return r;
}

/* ---- files -------------------------------------------------------------- */

static void state_path(char *buf, size_t len, const char *dir, unsigned long id, const char *ext)
{
	snprintf(buf, len, "%s/call-%lu.%s", dir, id, ext);
}

int rr_cs_save(const char *dir, const struct rr_cs_call *st)
{
	char tmp[512], path[512];
	size_t len, off = 0;
	char *text = rr_cs_encode(st, &len);
	int fd, err = 0;

	if (!text)
		return -ENOMEM;
	state_path(tmp, sizeof(tmp), dir, st->id, "tmp");
	state_path(path, sizeof(path), dir, st->id, "state");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		off += (size_t)n;
	}
	/* No fsync: the file has to outlive the daemon, not the host (the
	 * flows it describes are kernel memory; a reboot ends them anyway). */
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
out:
	free(text);
	return err;
}

int rr_cs_remove(const char *dir, unsigned long id)
{
	char path[512];

	state_path(path, sizeof(path), dir, id, "state");
	if (unlink(path) && errno != ENOENT)
		return -errno;
	return 0;
}

int rr_cs_mkdir(const char *dir)
{
	char buf[256], *p;

	if (strlen(dir) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, dir);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

int rr_cs_load(const char *path, struct rr_cs_call *st, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *text = NULL;
	size_t cap = 0, len = 0;
	int r;

	memset(st, 0, sizeof(*st));
	if (!f) {
		r = -errno;
		snprintf(err, errlen, "cannot open: %s", strerror(-r));
		return r;
	}
	for (;;) {
		if (len + 4096 > cap) {
			char *n = cap > (1u << 20) ? NULL : realloc(text, cap = cap ? 2 * cap : 8192);

			if (!n) {
				free(text);
				fclose(f);
				snprintf(err, errlen, "larger than 1 MiB or out of memory");
				return -EFBIG;
			}
			text = n;
		}
		size_t n = fread(text + len, 1, cap - len, f);

		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		r = -EIO;
		snprintf(err, errlen, "read error");
	} else {
		r = rr_cs_decode(text ? text : "", len, st, err, errlen);
	}
	fclose(f);
	free(text);
	return r;
}
