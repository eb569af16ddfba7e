/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The --json document: the host's TDX state and CMRs, then one object per
 * decision, each written from the record's fields (record.c), named as
 * daxctl list names them where it has a name.
 */
#include "record.h"

#include "macro.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * Length of the well-formed UTF-8 sequence at @s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0 when it is not one.
 */
static size_t utf8_sequence_length(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;

	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;

	/* The terminating NUL is no continuation byte, so this stops at it. */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/*
 * A JSON string (RFC 8259 §7). Names come from the kernel and the
 * administrator: a byte that is not UTF-8 becomes U+FFFD so that the
 * document stays valid.
 */
/* The characters JSON escapes by name (RFC 8259, section 7); other controls are \\uXXXX. */
static const char *const json_escapes[] = {
    ['"'] = "\\\"", ['\\'] = "\\\\", ['\b'] = "\\b", ['\f'] = "\\f",
    ['\n'] = "\\n", ['\r'] = "\\r",  ['\t'] = "\\t",
};

void json_write_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		size_t len = utf8_sequence_length(p);

		if (len == 0) {
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		if (len > 1) {
			fwrite(p, 1, len, f);
			p += len;
			continue;
		}

		if (*p < ARRAY_SIZE(json_escapes) && json_escapes[*p])
			fputs(json_escapes[*p], f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
		p++;
	}
	fputc('"', f);
}

/*
 * Physical addresses reach past 2^53, beyond what a JSON number keeps exactly
 * in most parsers (RFC 8259 §6, IEEE 754 doubles), so they are strings in the
 * same "0x..." form as the journal fields and daxctl's own output.
 */
static void json_write_address(FILE *f, uint64_t address)
{
	fprintf(f, "\"0x%llx\"", (unsigned long long)address);
}

void json_write_members(FILE *f, const struct record_fields *fields, const char *separator)
{
	bool first = true;

	for (size_t i = 0; i < fields->count; i++) {
		const struct record_field *field = &fields->items[i];

		if (!field->json_name)
			continue;
		if (!first)
			fputs(separator, f);
		first = false;
		json_write_string(f, field->json_name);
		fputs(": ", f);
		if (field->kind == RECORD_VALUE_STRING)
			json_write_string(f, field->value);
		else
			/* Built from "%u", "%d", "%llu" or "true"/"false": JSON as is. */
			fputs(field->value, f);
	}
}

static int json_write_record(FILE *f, const struct record *record)
{
	_cleanup_(record_fields_clear) struct record_fields fields = {};

	int r = record_fields_build(record, &fields);
	if (r < 0)
		return r;
	fputs("    {\n      ", f);
	json_write_members(f, &fields, ",\n      ");
	fputs("\n    }", f);
	return 0;
}

static int json_write_document(FILE *f, enum tdx_state tdx_state, const struct cmr_info *cmrs,
			       const struct record *records, size_t count)
{
	enum cmr_source source = cmrs ? cmrs->source : CMR_SOURCE_NONE;
	int r;

	fputs("{\n  \"tdx_state\": ", f);
	json_write_string(f, tdx_state_to_string(tdx_state));
	fputs(",\n  \"cmr_source\": ", f);
	json_write_string(f, cmr_source_to_string(source));

	/* Unknown CMRs (source "none") are an empty list, so "cmrs" is always a list. */
	fputs(",\n  \"cmrs\": [", f);
	for (size_t i = 0; cmrs && i < cmrs->cmrs.count; i++) {
		fputs(i > 0 ? ", [" : "[", f);
		json_write_address(f, cmrs->cmrs.items[i].start);
		fputs(", ", f);
		json_write_address(f, cmrs->cmrs.items[i].end);
		fputs("]", f);
	}

	fputs("],\n  \"decisions\": [", f);
	for (size_t i = 0; i < count; i++) {
		fputs(i > 0 ? ",\n" : "\n", f);
		r = json_write_record(f, &records[i]);
		if (r < 0)
			return r;
	}
	fputs(count > 0 ? "\n  ]\n}\n" : "]\n}\n", f);
	return 0;
}

int record_print_json(FILE *out, enum tdx_state tdx_state, const struct cmr_info *cmrs,
		      const struct record *records, size_t count)
{
	_cleanup_free_ char *document = NULL;
	size_t size;
	FILE *f;
	int r;

	/*
	 * Composed in memory first: running out of memory halfway must not
	 * leave half a document, which no JSON parser would take.
	 */
	f = open_memstream(&document, &size);
	if (!f)
		return -ENOMEM;
	r = json_write_document(f, tdx_state, cmrs, records, count);
	if (r == 0 && ferror(f))
		r = -ENOMEM;
	if (fclose(f) != 0 && r == 0)
		r = -ENOMEM;
	if (r < 0)
		return r;

	if (fwrite(document, 1, size, out) != size || fflush(out) != 0)
		return -EIO;
	return 0;
}
