/* JSON Lines: one object per record, every string escaped as JSON wants. */
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "out.h"

#define JSON_SCHEMA_VERSION	1

/*
 * Invalid UTF-8 becomes U+FFFD, so the output is always valid JSON; C1
 * controls (U+0080..U+009F) are escaped like C0 ones, so that a record
 * shown on a terminal cannot start an escape sequence (U+009B is CSI).
 */
static void
json_string(struct obuf *j, const char *str)
{
	const unsigned char *s = (const unsigned char *)str, *run;
	char esc[8];
	int n;

	obuf_putc(j, '"');
	while (*s) {
		/* Printable ASCII needs no care: copy it in one piece. */
		for (run = s; *s >= 0x20 && *s < 0x7f && *s != '"' &&
		    *s != '\\'; s++)
			;
		if (s > run) {
			obuf_putn(j, run, (size_t)(s - run));
			continue;
		}
		if (*s == '"' || *s == '\\') {
			obuf_putc(j, '\\');
			obuf_putc(j, (char)*s++);
		} else if (*s < 0x20 || *s == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", *s++);
			obuf_put(j, esc);
		} else if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] < 0xa0) {
			snprintf(esc, sizeof(esc), "\\u%04x", s[1]);
			obuf_put(j, esc);
			s += 2;
		} else if ((n = utf8_len(s)) == 0) {
			obuf_put(j, "\\ufffd");
			s++;
		} else {
			obuf_putn(j, s, (size_t)n);
			s += n;
		}
	}
	obuf_putc(j, '"');
}

static void
json_start_extra(FILE *fp, const struct record *r)
{
	const struct conf *c = r->conf;

	fprintf(fp, ",\"version\":%d,\"mode\":\"%s\",\"method\":\"%s\"",
	    JSON_SCHEMA_VERSION, c->trace ? "trace" : "ping", r->method);
	if (r->port >= 0)
		fprintf(fp, ",\"port\":%ld", r->port);
	fprintf(fp, ",\"count\":");
	if (c->count)
		fprintf(fp, "%u", c->count);
	else
		fputs("null", fp);
	fprintf(fp, ",\"period_ms\":%.3f,\"interval_ms\":%.3f,"
	    "\"timeout_ms\":%.3f,\"retries\":%u,\"payload_size\":%zu",
	    c->period_ns / 1e6, c->interval_ns / 1e6, c->timeout_ns / 1e6,
	    c->retries, c->size);
	fprintf(fp, ",\"probe_ttl\":");
	c->ttl >= 0 ? fprintf(fp, "%d", c->ttl) : fputs("null", fp);
	fprintf(fp, ",\"deadline_s\":");
	c->deadline_ns ? fprintf(fp, "%.3f", c->deadline_ns / 1e9) :
	    fputs("null", fp);
	if (c->trace_down)
		fputs(",\"trace_down\":true", fp);
	if (c->trace || c->trace_down)
		fprintf(fp, ",\"first_hop\":%d,\"max_hops\":%d,\"queries\":%d,"
		    "\"max_timeouts\":%d,\"window\":%d,\"flow\":%u,"
		    "\"names\":%s", c->first_hop, c->max_hops, c->queries,
		    c->max_timeouts, c->window, (unsigned)c->flow,
		    c->names ? "true" : "false");
	if (c->mda)
		fprintf(fp, ",\"all_paths\":true,\"confidence\":%d",
		    c->confidence);
}

static void
json_list(struct obuf *j, const struct field *f, const struct record *r)
{
	const struct mpls_label *m;
	const char *v;
	char buf[96];
	long i, n = field_list_len(f, r);
	int str;

	if (n < 0) {
		obuf_put(j, "null");
		return;
	}
	obuf_putc(j, '[');
	for (i = 0; i < n; i++) {
		if (i)
			obuf_putc(j, ',');
		if (f->kind == F_MPLS) {
			m = r->mpls + i;
			snprintf(buf, sizeof(buf), "{\"label\":%u,\"tc\":%u,"
			    "\"s\":%u,\"ttl\":%u}", (unsigned)m->label,
			    (unsigned)m->tc, (unsigned)m->s,
			    (unsigned)m->ttl);
			obuf_put(j, buf);
			continue;
		}
		v = field_elem(f, r, i, buf, sizeof(buf), &str);
		if (v == NULL)
			obuf_put(j, "null");
		else if (str)
			json_string(j, v);
		else
			obuf_put(j, v);
	}
	obuf_putc(j, ']');
}

static void
json_emit(struct out *o, const struct record *r)
{
	const struct field *const *f;
	struct obuf j;
	const char *v;
	char buf[64];
	int str, first = 1;

	if (!out_wants_all(o, r->type))
		return;
	obuf_init(&j, o->fp);
	obuf_putc(&j, '{');
	for (f = fields_of(r->type); *f; f++) {
		v = (*f)->kind < F_STRS ? field_value(*f, r, buf, sizeof(buf),
		    &str) : NULL;
		if ((*f)->optional && ((*f)->kind < F_STRS ? v == NULL :
		    field_list_len(*f, r) < 0))
			continue;
		if (!first)
			obuf_putc(&j, ',');
		obuf_putc(&j, '"');
		obuf_put(&j, (*f)->name);
		obuf_putn(&j, "\":", 2);
		first = 0;
		if ((*f)->kind >= F_STRS) {
			json_list(&j, *f, r);
			continue;
		}
		if (v == NULL)
			obuf_put(&j, "null");
		else if (str)
			json_string(&j, v);
		else
			obuf_put(&j, v);
	}
	if (r->type == REC_START) {
		/* Once per run: stdio is fine. */
		obuf_flush(&j);
		json_start_extra(o->fp, r);
	}
	obuf_putn(&j, "}\n", 2);
	obuf_flush(&j);
}

const struct out_ops out_json_ops = { NULL, json_emit, NULL, NULL,
	out_wants_all };
