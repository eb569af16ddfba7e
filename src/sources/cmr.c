/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One parser for every CMR source. A line may be copied from dmesg,
 * /dev/kmsg, a syslog file, journalctl or /proc/iomem, so the prefixes those
 * add are stripped before the range itself is read.
 */
#include "cmr.h"
#include "macro.h"
#include "path.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* How much of an offending text an error message quotes (message is 192 bytes). */
#define QUOTE_MAX 64

/* A piece of the input. Lines are not NUL-terminated inside the text. */
struct span {
	const char *p;
	const char *end;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t span_len(struct span s)
{
	return (size_t)(s.end - s.p);
}

static void skip_blanks(struct span *s)
{
	while (s->p < s->end && is_blank(*s->p))
		s->p++;
}

static void trim(struct span *s)
{
	skip_blanks(s);
	while (s->end > s->p && is_blank(s->end[-1]))
		s->end--;
}

/* Consumes @word if the span starts with it. */
static bool skip_word(struct span *s, const char *word)
{
	size_t n = strlen(word);

	if (span_len(*s) < n || memcmp(s->p, word, n) != 0)
		return false;
	s->p += n;
	return true;
}

static bool skip_digits(struct span *s)
{
	const char *start = s->p;

	while (s->p < s->end && is_digit(*s->p))
		s->p++;
	return s->p > start;
}

/* /dev/kmsg: "PRIO,SEQ,USEC,FLAGS[,CALLER...];" (Documentation/ABI/testing/dev-kmsg). */
static void strip_kmsg_prefix(struct span *s)
{
	struct span t = *s;

	for (int i = 0; i < 3; i++)
		if (!skip_digits(&t) || !skip_word(&t, ","))
			return;
	/* Flags, and on CONFIG_PRINTK_CALLER kernels ",caller=T1", run up to ';'. */
	while (t.p < t.end && *t.p != ';' && !is_blank(*t.p))
		t.p++;
	if (!skip_word(&t, ";"))
		return;

	*s = t;
	skip_blanks(s);
}

/* dmesg: "[    1.234567] ". Not to be confused with a range: no "0x", a '.'. */
static bool strip_timestamp(struct span *s)
{
	struct span t = *s;

	if (!skip_word(&t, "["))
		return false;
	skip_blanks(&t);
	if (!skip_digits(&t) || !skip_word(&t, ".") || !skip_digits(&t) || !skip_word(&t, "]"))
		return false;

	*s = t;
	skip_blanks(s);
	return true;
}

/* syslog and journalctl: "Nov 27 10:00:01 host kernel: ". */
static void strip_syslog_prefix(struct span *s)
{
	static const char marker[] = "kernel: ";
	const size_t n = sizeof(marker) - 1;

	for (const char *q = s->p; (size_t)(s->end - q) >= n; q++)
		if (memcmp(q, marker, n) == 0) {
			s->p = q + n;
			skip_blanks(s);
			return;
		}
}

/* pr_fmt "virt/tdx: " then "CMR:" or "CMR[n]:". */
static void strip_tdx_prefix(struct span *s)
{
	struct span t;

	if (skip_word(s, "virt/tdx:"))
		skip_blanks(s);

	t = *s;
	if (!skip_word(&t, "CMR"))
		return;
	if (skip_word(&t, "[")) {
		if (!skip_digits(&t) || !skip_word(&t, "]"))
			return;
	}
	if (!skip_word(&t, ":"))
		return;

	*s = t;
	skip_blanks(s);
}

/*
 * Reads a hex number. All hex digits are consumed even past 64 bits, so that
 * syntax errors are told apart from overflow and the whole number can be
 * quoted. Returns false when there is no number at all.
 */
static bool parse_hex(struct span *s, bool need_0x, uint64_t *ret_value, bool *ret_overflow,
		      struct span *ret_token)
{
	struct span t = *s;
	const char *digits;
	uint64_t value = 0;
	bool overflow = false;

	if (!skip_word(&t, "0x") && !skip_word(&t, "0X") && need_0x)
		return false;

	digits = t.p;
	while (t.p < t.end && hex_value(*t.p) >= 0) {
		if (value > UINT64_MAX >> 4)
			overflow = true;
		value = (value << 4) | (uint64_t)hex_value(*t.p);
		t.p++;
	}
	if (t.p == digits)
		return false;

	*ret_value = value;
	*ret_overflow = overflow;
	*ret_token = (struct span){s->p, t.p};
	s->p = t.p;
	return true;
}

enum range_form {
	RANGE_MALFORMED,
	RANGE_HALF_OPEN, /* "[0xSTART, 0xEND)" */
	RANGE_INCLUSIVE, /* "START-END" */
};

struct parsed_range {
	uint64_t start, end; /* as written: end is inclusive for RANGE_INCLUSIVE */
	bool overflow;
	struct span overflow_token;
};

static bool parse_number(struct span *s, bool need_0x, uint64_t *ret_value,
			 struct parsed_range *range)
{
	struct span token;
	bool overflow;

	if (!parse_hex(s, need_0x, ret_value, &overflow, &token))
		return false;
	if (overflow && !range->overflow) {
		range->overflow = true;
		range->overflow_token = token;
	}
	return true;
}

/* "START SEPARATOR END", blanks allowed around the separator. */
static bool parse_pair(struct span *s, bool need_0x, const char *separator,
		       struct parsed_range *range)
{
	if (!parse_number(s, need_0x, &range->start, range))
		return false;
	skip_blanks(s);
	if (!skip_word(s, separator))
		return false;
	skip_blanks(s);
	return parse_number(s, need_0x, &range->end, range);
}

static enum range_form parse_range(struct span s, struct parsed_range *ret)
{
	struct parsed_range range = {};
	enum range_form form = RANGE_INCLUSIVE;

	/* the kernel's "[0xSTART, 0xEND)", or /proc/iomem's "start-end" */
	if (skip_word(&s, "[")) {
		skip_blanks(&s);
		if (!parse_pair(&s, true, ",", &range))
			return RANGE_MALFORMED;
		skip_blanks(&s);
		if (!skip_word(&s, ")"))
			return RANGE_MALFORMED;
		form = RANGE_HALF_OPEN;
	} else if (!parse_pair(&s, false, "-", &range))
		return RANGE_MALFORMED;
	if (s.p != s.end)
		return RANGE_MALFORMED;
	*ret = range;
	return form;
}

/* Accumulates one source's ranges; the caller's set is only touched at the end. */
static int quote_len(struct span s)
{
	return (int)(span_len(s) > QUOTE_MAX ? QUOTE_MAX : span_len(s));
}

static const char *quote_ellipsis(struct span s)
{
	return span_len(s) > QUOTE_MAX ? "..." : "";
}

/* What is left of a log line after its kmsg, timestamp, syslog and TDX prefixes. */
static struct span range_text(struct span line)
{
	struct span text = line;

	strip_kmsg_prefix(&text);
	strip_timestamp(&text);
	strip_syslog_prefix(&text);
	/* Debian's kern.log puts the dmesg timestamp after "kernel: ". */
	strip_timestamp(&text);
	strip_tdx_prefix(&text);
	return text;
}

/*
 * Over 60 lines: the checks of one range in the order a reader expects the
 * errors (form, width, inclusive end, order, count), each with its message.
 */
static int cmr_parse_line(struct cmr_parser *parser, struct span line, unsigned line_number,
			  struct parse_error *ret_error)
{
	struct parsed_range range;
	enum range_form form;
	struct span text, quoted;
	const char *hash;
	uint64_t end;
	int r;

	hash = memchr(line.p, '#', span_len(line));
	if (hash)
		line.end = hash;
	trim(&line);
	if (line.p == line.end)
		return 0;

	text = range_text(line);
	/* Quote the range itself; if the prefixes were all there was, the line. */
	quoted = text.p < text.end ? text : line;

	form = parse_range(text, &range);
	if (form == RANGE_MALFORMED) {
		parse_error_set(ret_error, parser->origin, line_number,
				"malformed CMR \"%.*s%s\": expected \"[0xSTART, 0xEND)\" or "
				"\"START-END\"",
				quote_len(quoted), quoted.p, quote_ellipsis(quoted));
		return -EINVAL;
	}
	if (range.overflow) {
		parse_error_set(ret_error, parser->origin, line_number,
				"CMR \"%.*s%s\": \"%.*s%s\" does not fit in 64 bits",
				quote_len(quoted), quoted.p, quote_ellipsis(quoted),
				quote_len(range.overflow_token), range.overflow_token.p,
				quote_ellipsis(range.overflow_token));
		return -EINVAL;
	}

	end = range.end;
	if (form == RANGE_INCLUSIVE) {
		/* /proc/iomem prints the last byte; ranges here are half-open. */
		if (end == UINT64_MAX) {
			parse_error_set(ret_error, parser->origin, line_number,
					"CMR \"%.*s%s\": end + 1 does not fit in 64 bits",
					quote_len(quoted), quoted.p, quote_ellipsis(quoted));
			return -EINVAL;
		}
		end++;
	}
	if (range.start >= end) {
		parse_error_set(ret_error, parser->origin, line_number,
				"CMR \"%.*s%s\": start must be below end", quote_len(quoted),
				quoted.p, quote_ellipsis(quoted));
		return -EINVAL;
	}

	/* Count ranges as written: a list longer than the TDX module's is not its list. */
	if (parser->count >= CMR_MAX) {
		parse_error_set(ret_error, parser->origin, line_number,
				"too many CMRs at \"%.*s%s\": at most %d", quote_len(quoted),
				quoted.p, quote_ellipsis(quoted), CMR_MAX);
		return -EINVAL;
	}

	r = range_set_add(&parser->set, range.start, end);
	if (r < 0) {
		parse_error_set(ret_error, parser->origin, line_number, "cannot add CMR: %s",
				strerror(-r));
		return r;
	}
	parser->count++;
	return 0;
}

int cmr_parser_add_line(struct cmr_parser *parser, const char *line, size_t len,
			unsigned line_number, struct parse_error *ret_error)
{
	return cmr_parse_line(parser, (struct span){line, line + len}, line_number, ret_error);
}

int cmr_parse(const char *text, size_t size, const char *origin, struct range_set *ret_cmrs,
	      struct parse_error *ret_error)
{
	struct cmr_parser parser = {.origin = origin};
	const char *p = text, *end = text + size;
	unsigned line_number = 0;
	int r;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct span line = {p, nl ? nl : end};

		line_number++;
		r = cmr_parse_line(&parser, line, line_number, ret_error);
		if (r < 0) {
			range_set_clear(&parser.set);
			return r;
		}
		p = nl ? nl + 1 : end;
	}

	*ret_cmrs = parser.set;
	return 0;
}
